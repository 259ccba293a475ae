"""Geometry for server-rendered SVG charts (no JavaScript, no inline styles: CSP-safe)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

WIDTH, HEIGHT = 320, 120
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 36, 8, 8, 20


@dataclass(frozen=True)
class LineChart:
    """A daily series over a period with an optional dashed target line."""

    width: int
    height: int
    path: str  # polyline points "x,y x,y"
    dots: tuple[tuple[float, float, str], ...]
    target_y: float | None
    y_ticks: tuple[tuple[float, str], ...]
    x_ticks: tuple[tuple[float, str], ...]
    plot_left: int = PAD_LEFT
    plot_right: int = WIDTH - PAD_RIGHT
    plot_bottom: int = HEIGHT - PAD_BOTTOM

    @property
    def empty(self) -> bool:
        return not self.dots


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:.1f}"


def line_chart(
    points: Sequence[tuple[date, float]],
    start: date,
    end: date,
    target: float | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> LineChart:
    """Scale (day, value) points into the plot area; the y range covers the values and target."""
    values = [v for _d, v in points] + ([target] if target is not None else [])
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    margin = (high - low) * 0.1
    low, high = low - margin, high + margin
    span_days = max(1, (end - start).days)
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - PAD_BOTTOM

    def x_of(day: date) -> float:
        return round(PAD_LEFT + plot_w * (day - start).days / span_days, 1)

    def y_of(value: float) -> float:
        return round(PAD_TOP + plot_h * (high - value) / (high - low), 1)

    dots = tuple((x_of(d), y_of(v), f"{d.isoformat()}: {_fmt(v)}") for d, v in points)
    mid = low + (high - low) / 2
    return LineChart(
        width=width,
        height=height,
        path=" ".join(f"{x},{y}" for x, y, _t in dots),
        dots=dots,
        target_y=y_of(target) if target is not None else None,
        y_ticks=tuple((y_of(v), _fmt(v)) for v in (high - margin, mid, low + margin)),
        x_ticks=((x_of(start), start.strftime("%m-%d")), (x_of(end), end.strftime("%m-%d"))),
        plot_right=width - PAD_RIGHT,
        plot_bottom=height - PAD_BOTTOM,
    )


@dataclass(frozen=True)
class Bar:
    """One histogram bar with its bucket label and count."""

    x: float
    y: float
    width: float
    height: float
    label: str
    count: int


@dataclass(frozen=True)
class BarChart:
    """A histogram of scores."""

    width: int
    height: int
    bars: tuple[Bar, ...] = field(default_factory=tuple)
    max_count: int = 0
    baseline: float = 0

    @property
    def empty(self) -> bool:
        return not any(b.count for b in self.bars)


def histogram(
    values: Sequence[float],
    low: float,
    high: float,
    buckets: int = 10,
    width: int = 560,
    height: int = 180,
) -> BarChart:
    """Count values into equal buckets over [low, high] (the top bucket includes `high`)."""
    counts = [0] * buckets
    size = (high - low) / buckets
    for value in values:
        index = int((min(max(value, low), high) - low) / size)
        counts[min(index, buckets - 1)] += 1
    top = max(counts) or 1
    top_pad = 22  # room for the count printed above the tallest bar
    plot_h = height - top_pad - 30
    bar_w = (width - 20) / buckets
    bars = tuple(
        Bar(
            x=round(10 + i * bar_w + 2, 1),
            y=round(top_pad + plot_h * (1 - c / top), 1),
            width=round(bar_w - 4, 1),
            height=round(plot_h * c / top, 1),
            label=f"{low + i * size:g}–{low + (i + 1) * size:g}",
            count=c,
        )
        for i, c in enumerate(counts)
    )
    return BarChart(
        width=width, height=height, bars=bars, max_count=max(counts), baseline=top_pad + plot_h
    )
