"""How well automatic grades agree with trainers' reviews, per scenario and rubric item.

A reviewed session gives one (automatic, human) pair per item: the trainer's override, or the
automatic score the trainer confirmed by reviewing without changing it. Reported per item:
exact agreement, adjacent agreement (within one scale point), quadratic weighted kappa, count,
and the agents' appeals on the item: kept (the grader upheld) and changed.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from trainer.extensions import db
from trainer.roleplay.appeals import ItemAppeals, appeals_by_item
from trainer.roleplay.metrics import (
    adjacent_agreement,
    exact_agreement,
    quadratic_weighted_kappa,
    spearman,
)
from trainer.roleplay.models import RoleplayGrade, RoleplayItemOverride, RoleplaySession
from trainer.roleplay.review import effective_items
from trainer.roleplay.scenarios import scale_bounds


@dataclass
class ItemAgreement:
    """Agreement statistics for one rubric item of one scenario."""

    item_id: str
    title: dict
    scale: str | int
    pairs: list[tuple[int, int]] = field(default_factory=list)
    appeals: ItemAppeals = field(default_factory=ItemAppeals)

    @property
    def count(self) -> int:
        """Number of (automatic, human) pairs."""
        return len(self.pairs)

    @property
    def exact(self) -> float | None:
        """Share of pairs with the same score."""
        return exact_agreement(self.pairs)

    @property
    def adjacent(self) -> float | None:
        """Share of pairs at most one scale point apart."""
        return adjacent_agreement(self.pairs)

    @property
    def kappa(self) -> float | None:
        """Quadratic weighted kappa over the item's scale."""
        low, high = scale_bounds(self.scale)
        return quadratic_weighted_kappa(self.pairs, low, high)


@dataclass
class ScenarioAgreement:
    """The items of one scenario and how many reviewed sessions they come from."""

    slug: str
    title: dict
    sessions: int = 0
    items: dict[str, ItemAgreement] = field(default_factory=dict)
    totals: list[tuple[float, float]] = field(default_factory=list)
    scenario_id: int | None = None

    @property
    def total_spearman(self) -> float | None:
        """Rank correlation of automatic and reviewed totals (None with under three sessions)."""
        if len(self.totals) < 3:
            return None
        return spearman([a for a, _ in self.totals], [h for _, h in self.totals])


def calibration_report(judge: str = "") -> list[ScenarioAgreement]:
    """Agreement per scenario and item over all reviewed, non-trial sessions (fixed queries).

    `judge` limits it to grades made by one judge ("llm", "offline", "offline_fallback").
    """
    query = (
        db.select(RoleplayGrade)
        .join(RoleplaySession, RoleplaySession.id == RoleplayGrade.session_id)
        .where(RoleplayGrade.reviewed_at.is_not(None), RoleplaySession.trial.is_(False))
        .options(
            db.selectinload(RoleplayGrade.overrides).joinedload(RoleplayItemOverride.reviewer),
            db.joinedload(RoleplayGrade.session).joinedload(RoleplaySession.scenario),
        )
        .order_by(RoleplayGrade.id)
    )
    if judge:
        query = query.where(RoleplayGrade.judge == judge)
    report: dict[str, ScenarioAgreement] = {}
    for grade in db.session.scalars(query).unique():
        scenario = grade.session.scenario
        entry = report.setdefault(
            scenario.slug,
            ScenarioAgreement(scenario.slug, scenario.title, scenario_id=scenario.id),
        )
        entry.sessions += 1
        if grade.auto_total is not None and grade.total is not None:
            entry.totals.append((grade.auto_total, grade.total))
        automatic = {item["id"]: item["score"] for item in grade.items}
        for item in effective_items(grade):
            auto, human = automatic.get(item["id"]), item["score"]
            stats = entry.items.setdefault(
                item["id"], ItemAgreement(item["id"], item["title"], item["scale"])
            )
            if auto is not None and human is not None:
                stats.pairs.append((auto, human))
    appeals = appeals_by_item()
    for entry in report.values():
        for stats in entry.items.values():
            stats.appeals = appeals.get((entry.scenario_id, stats.item_id), ItemAppeals())
    return sorted(report.values(), key=lambda s: s.slug)


def judge_counts() -> dict[str, int]:
    """Reviewed grades per judge kind, for the filter."""
    rows = db.session.execute(
        db.select(RoleplayGrade.judge, db.func.count(RoleplayGrade.id))
        .where(RoleplayGrade.reviewed_at.is_not(None))
        .group_by(RoleplayGrade.judge)
    )
    return dict(defaultdict(int, rows.all()))
