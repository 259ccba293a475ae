"""Geometry of the results page's timeline: who waited when (SVG drawn by the template)."""

from dataclasses import dataclass, field

from trainer.drills.results import NOT_ARRIVED, RunSummary

WIDTH, ROW, LEFT, RIGHT, TOP, BOTTOM = 640, 26, 110, 12, 8, 26


@dataclass
class Timeline:
    """Rows of bars in viewBox coordinates, with the axis ticks."""

    width: int = WIDTH
    height: int = TOP + BOTTOM
    rows: list[dict] = field(default_factory=list)
    ticks: list[dict] = field(default_factory=list)
    axis_y: int = TOP


def timeline_svg(summary: RunSummary) -> Timeline:
    """One row per arrived customer: waiting (late marked), conversation, follow-up, leaving."""
    chart = Timeline()
    span = max(1.0, float(summary.length))
    scale = (WIDTH - LEFT - RIGHT) / span

    def x(seconds: float) -> float:
        return round(LEFT + min(span, max(0.0, seconds)) * scale, 1)

    y = TOP
    for c in summary.conversations:
        if c.outcome == NOT_ARRIVED:
            continue
        wait_end = c.first_reply_after if c.first_reply_after is not None else c.end_after
        wait_end = wait_end if wait_end is not None else span
        row = {
            "y": y,
            "label": f"#{c.position} {c.name}",
            "label_y": y + 15,
            "wait": {
                "x": x(c.arrived_after),
                "width": max(1.0, x(wait_end) - x(c.arrived_after)),
                "late": not c.within_target,
            },
            "talk": None,
            "marks": [],
        }
        if c.first_reply_after is not None:
            end = c.end_after if c.end_after is not None else span
            row["talk"] = {
                "x": x(c.first_reply_after),
                "width": max(1.0, x(end) - x(c.first_reply_after)),
            }
        if c.followed_up_after is not None:
            row["marks"].append({"x": x(c.followed_up_after), "kind": "follow-up"})
        if c.outcome == "abandoned" and c.end_after is not None:
            row["marks"].append({"x": x(c.end_after), "kind": "left"})
        chart.rows.append(row)
        y += ROW
    chart.axis_y = y
    chart.height = y + BOTTOM
    step = 60 if span > 300 else 30 if span > 120 else 10
    for second in range(0, int(span) + 1, step):
        label = f"{second // 60}:{second % 60:02d}"
        chart.ticks.append({"x": x(second), "label": label})
    return chart
