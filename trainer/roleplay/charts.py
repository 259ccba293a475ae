"""Geometry for the result page's server-rendered SVG charts (response times, mood)."""

from dataclasses import dataclass, field

from trainer.roleplay.transcript import Line, reply_times

WIDTH, HEIGHT = 560, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 28


@dataclass
class Chart:
    """Everything the SVG template draws; coordinates are already in the viewBox."""

    width: int = WIDTH
    height: int = HEIGHT
    bars: list[dict] = field(default_factory=list)
    points: list[dict] = field(default_factory=list)
    polyline: str = ""
    guides: list[dict] = field(default_factory=list)  # horizontal lines with labels
    y_ticks: list[dict] = field(default_factory=list)
    x_labels: list[dict] = field(default_factory=list)

    @property
    def plot_bottom(self) -> int:
        """The y of the x axis."""
        return self.height - BOTTOM

    @property
    def plot_left(self) -> int:
        """The x of the y axis."""
        return LEFT


def _y(value: float, top_value: float) -> float:
    span = HEIGHT - TOP - BOTTOM
    return round(HEIGHT - BOTTOM - span * min(value, top_value) / top_value, 1)


def response_chart(lines: list[Line], target_seconds: float = 30) -> Chart:
    """One bar per agent reply: seconds since the customer's message; a line at the target."""
    times = reply_times(lines)
    chart = Chart()
    if not times:
        return chart
    top = max(max(s for _, s in times), target_seconds) * 1.15
    slot = (WIDTH - LEFT - RIGHT) / len(times)
    bar_width = max(4.0, min(36.0, slot * 0.6))
    for index, (_line, seconds) in enumerate(times):
        x = LEFT + slot * index + (slot - bar_width) / 2
        y = _y(seconds, top)
        chart.bars.append(
            {
                "x": round(x, 1),
                "y": y,
                "width": round(bar_width, 1),
                "height": round(HEIGHT - BOTTOM - y, 1),
                "seconds": seconds,
                "slow": seconds > target_seconds,
                "label": index + 1,
                "label_x": round(x + bar_width / 2, 1),
            }
        )
    chart.guides.append({"y": _y(target_seconds, top), "value": target_seconds})
    chart.y_ticks = [{"y": _y(v, top), "value": round(v)} for v in (0, top / 2, top / 1.15)]
    return chart


def mood_chart(lines: list[Line], spec: dict) -> Chart:
    """The customer's mood after each of their messages, with the give-up and satisfied lines."""
    moods = [line for line in lines if getattr(line, "mood", None) is not None]
    chart = Chart()
    if not moods:
        return chart
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(moods) - 1)
    for index, line in enumerate(moods):
        x = LEFT + slot * index if len(moods) > 1 else LEFT + (WIDTH - LEFT - RIGHT) / 2
        chart.points.append(
            {"x": round(x, 1), "y": _y(line.mood, 100), "mood": line.mood, "label": index}
        )
    chart.polyline = " ".join(f"{p['x']},{p['y']}" for p in chart.points)
    chart.guides = [
        {
            "y": _y(spec["mood"]["give_up_at"], 100),
            "value": spec["mood"]["give_up_at"],
            "kind": "give_up",
        },
        {
            "y": _y(spec["mood"]["satisfied_at"], 100),
            "value": spec["mood"]["satisfied_at"],
            "kind": "satisfied",
        },
    ]
    chart.y_ticks = [{"y": _y(v, 100), "value": v} for v in (0, 50, 100)]
    return chart


@dataclass(frozen=True)
class MoodLine:
    """A customer turn with its mood, for the mood chart."""

    seq: int
    mood: int | None


def mood_lines(turns) -> list[MoodLine]:
    """Customer turns with their mood."""
    return [MoodLine(t.seq, t.mood) for t in turns if t.speaker == "customer"]
