"""Pure scoring arithmetic: KPI points and status, composites, OKR scores, incentive scores.

Every formula here is small enough to check by hand; the tests do exactly that.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from trainer.scorecards.catalogue import IncentiveFormula, KpiDefinition

MET, WATCH, MISSED, NO_DATA = "met", "watch", "missed", "none"


def round_score(value: float | None) -> float | None:
    """The one rounding rule for scores (docs/scoring.md): once, half up, to one decimal.

    KPI points, composites, the role-play QA score and incentive scores go through here; pages,
    CSV exports, the API and PDFs print the rounded value as it is.
    """
    if value is None:
        return None
    return float(Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _raw_points(kpi: KpiDefinition, value: float) -> float:
    share = (value - kpi.floor) / (kpi.target - kpi.floor)
    return 100 * min(1.0, max(0.0, share))


def roleplay_average(totals: Iterable[float]) -> float | None:
    """The QA (role-play) score: the mean of graded sessions' totals, rounded as a score."""
    totals = list(totals)
    return round_score(sum(totals) / len(totals)) if totals else None


def kpi_points(kpi: KpiDefinition, value: float | None) -> float | None:
    """100 at or beyond the target, 0 at or beyond the floor, linear in between.

    Capping at 100 means beating one target cannot hide missing another.
    """
    if value is None:
        return None
    return round_score(_raw_points(kpi, value))


def kpi_status(kpi: KpiDefinition, value: float | None) -> str:
    """met (target reached), watch (between target and floor), missed (floor or worse), none."""
    if value is None:
        return NO_DATA
    if kpi.better_or_equal(value, kpi.target):
        return MET
    if kpi.better_or_equal(value, kpi.floor) and value != kpi.floor:
        return WATCH
    return MISSED


@dataclass(frozen=True)
class CompositePart:
    """One KPI's share in a composite: its points and weighted contribution."""

    key: str
    weight: float
    points: float
    contribution: float  # points × weight ÷ total weight of KPIs with data


@dataclass(frozen=True)
class Composite:
    """A weighted composite score 0-100 and its parts; None when no KPI had data."""

    score: float | None
    parts: tuple[CompositePart, ...]


def _scored(
    kpis: Iterable[KpiDefinition], values: Mapping[str, float | None]
) -> tuple[list[tuple[KpiDefinition, float]], float]:
    scored = [
        (k, _raw_points(k, values[k.key]))
        for k in kpis
        if k.weight > 0 and values.get(k.key) is not None
    ]
    return scored, sum(k.weight for k, _p in scored)


def _composite_of(scored: list[tuple[KpiDefinition, float]], total: float) -> float | None:
    return round_score(sum(p * k.weight for k, p in scored) / total) if total else None


def composite_score(kpis: Iterable[KpiDefinition], values: Mapping[str, float | None]) -> Composite:
    """Weighted mean of KPI points over the KPIs that have data (weights re-normalised)."""
    scored, total = _scored(kpis, values)
    if not total:
        return Composite(None, ())
    parts = tuple(
        CompositePart(k.key, k.weight, round_score(points), round(points * k.weight / total, 2))
        for k, points in scored
    )
    return Composite(_composite_of(scored, total), parts)


def composite_value(
    kpis: Iterable[KpiDefinition], values: Mapping[str, float | None]
) -> float | None:
    """`composite_score(...).score` without the parts: for ranking thousands of agents."""
    return _composite_of(*_scored(kpis, values))


# ---------------------------------------------------------------- OKRs


def key_result_score(start: float, target: float, current: float) -> float:
    """Progress from start to target, 0.0-1.0 (works for "reduce" targets below the start)."""
    if target == start:
        return 1.0 if current == target else 0.0
    return min(1.0, max(0.0, (current - start) / (target - start)))


def objective_score(key_results: Sequence[tuple[float, float, float, float]]) -> float:
    """Weighted mean of key-result scores; items are (start, target, current, weight)."""
    total = sum(w for *_rest, w in key_results)
    if not total:
        return 0.0
    return sum(key_result_score(s, t, c) * w for s, t, c, w in key_results) / total


def okr_set_score(
    objectives: Sequence[Sequence[tuple[float, float, float, float]]],
) -> float | None:
    """Mean of the objectives' scores, rounded to 0.01; None without objectives."""
    scored = [objective_score(krs) for krs in objectives if krs]
    if not scored:
        return None
    return round(sum(scored) / len(scored), 2)


# ---------------------------------------------------------------- incentives


@dataclass(frozen=True)
class IncentiveBreakdown:
    """An incentive score and the numbers it is made of."""

    kpi_composite: float
    okr_score: float | None
    kpi_part: float
    okr_part: float
    base: float
    multiplier: float
    score: float


def incentive_score(
    kpi_composite: float, okr: float | None, multiplier: float, formula: IncentiveFormula
) -> IncentiveBreakdown:
    """(kpi_weight × composite + okr_weight × OKR × 100) × level multiplier, as a score."""
    if okr is None and formula.missing_okr == "kpi_only":
        kpi_part, okr_part = kpi_composite, 0.0
    else:
        kpi_part = formula.kpi_weight * kpi_composite
        okr_part = formula.okr_weight * (okr or 0.0) * 100
    base = kpi_part + okr_part
    return IncentiveBreakdown(
        kpi_composite=kpi_composite,
        okr_score=okr,
        kpi_part=round(kpi_part, 2),
        okr_part=round(okr_part, 2),
        base=round(base, 2),
        multiplier=multiplier,
        score=round_score(base * multiplier),
    )
