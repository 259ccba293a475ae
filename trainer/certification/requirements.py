"""What each certification level requires: KPI thresholds, role-play rules, levels, the ladder."""

from dataclasses import dataclass

from trainer.core.i18n import pick


@dataclass(frozen=True)
class Threshold:
    """A KPI value to reach, in the KPI's direction."""

    kpi: str
    value: float
    higher_is_better: bool

    def met_by(self, actual: float) -> bool:
        return actual >= self.value if self.higher_is_better else actual <= self.value


@dataclass(frozen=True)
class KpiRule:
    """KPI thresholds over the recent window, given enough conversations."""

    min_conversations: int
    thresholds: tuple[Threshold, ...]


@dataclass(frozen=True)
class RoleplayRule:
    """N sessions at difficulty ≥ d scoring ≥ s, and no critical failure in the last k."""

    sessions: int
    min_difficulty: int
    min_score: float
    no_critical_in_last: int


@dataclass(frozen=True)
class DrillRule:
    """A finished peak drill with at least this share of first replies in time, few breaches."""

    drill: str
    min_within_target: float  # percent of the arrived customers
    max_breaches: int = 0


@dataclass(frozen=True)
class Level:
    """One rung of the ladder and what it takes to reach and keep it."""

    code: str
    name: dict
    rank: int
    multiplier: float = 1.0
    courses: tuple[str, ...] = ()
    quizzes: tuple[str, ...] = ()
    roleplay: RoleplayRule | None = None
    drill: DrillRule | None = None
    kpis: KpiRule | None = None
    okr_score: float | None = None
    endorsement: bool = False
    keep_kpis: KpiRule | None = None

    @property
    def label(self) -> str:
        return f"{self.code} {pick(self.name)}"


@dataclass(frozen=True)
class Ladder:
    """All levels in order plus the settings of promotions and lapses."""

    levels: tuple[Level, ...]
    auto_grant: bool = False
    kpi_window_days: int = 30
    lapse_grace_days: int = 14
    notice_days: int = 14

    def level(self, code: str | None) -> Level | None:
        return next((lv for lv in self.levels if lv.code == code), None)

    @property
    def base(self) -> Level:
        return self.levels[0]

    def above(self, code: str | None) -> Level | None:
        """The level right above `code` (the first level above the base for None)."""
        current = self.level(code) or self.base
        return self.levels[current.rank + 1] if current.rank + 1 < len(self.levels) else None

    def courses_for(self, level: Level) -> tuple[str, ...]:
        """Courses required up to and including `level` (inherited from the levels below)."""
        return tuple(dict.fromkeys(c for lv in self.levels[: level.rank + 1] for c in lv.courses))

    def quizzes_for(self, level: Level) -> tuple[str, ...]:
        """Quizzes required up to and including `level`."""
        return tuple(dict.fromkeys(q for lv in self.levels[: level.rank + 1] for q in lv.quizzes))
