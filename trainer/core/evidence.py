"""Plain records that features hand to each other (certification, scorecards) via services."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class QuizPass:
    """An agent's best passing result on a quiz."""

    quiz_slug: str
    score: float  # 0-100
    passed_at: datetime
    expires_at: datetime | None  # None: the pass does not expire


@dataclass(frozen=True)
class RoleplayResult:
    """A graded role-play session (after trainer review, when there was one)."""

    session_id: int
    scenario_slug: str
    difficulty: int
    total: float  # 0-100
    passed: bool
    critical_failed: bool
    ended_at: datetime
    reviewed: bool = False


@dataclass(frozen=True)
class DrillResult:
    """A finished peak drill with its figures (drills.results), graded or not yet."""

    run_id: int
    drill_slug: str
    finished_at: datetime
    within_target_share: float | None  # 0..1 of the customers who arrived
    breaches: int
    served: int
    abandoned: int
    max_parallel: int
    score: int | None  # None while a conversation waits for its grade


@dataclass(frozen=True)
class KpiSummary:
    """One agent's KPI values over a period: KPI key → value, plus conversation count."""

    values: dict[str, float]
    conversations: int
    days: int
