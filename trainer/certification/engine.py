"""The certification engine: pure functions over an agent's evidence and the ladder.

Nothing here touches the database or the request: given the same evidence, ladder and time it
always answers the same, which is what the tests rely on (they craft evidence by hand).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from trainer.certification.ladder import KpiRule, Ladder, Level
from trainer.core import clock
from trainer.core.evidence import DrillResult, KpiSummary, QuizPass, RoleplayResult

COURSE, QUIZ = "course", "quiz"
ROLEPLAY_SESSIONS, ROLEPLAY_CRITICAL = "roleplay_sessions", "roleplay_critical"
KPI_CONVERSATIONS, KPI = "kpi_conversations", "kpi"
DRILL = "drill"
OKR, ENDORSEMENT = "okr", "endorsement"
OK, NOTICE, LAPSE = "ok", "notice", "lapse"


@dataclass(frozen=True)
class AgentEvidence:
    """Everything the engine looks at for one agent."""

    user_id: int
    completed_courses: Mapping[str, datetime] = field(default_factory=dict)
    quiz_passes: Mapping[str, QuizPass] = field(default_factory=dict)
    roleplay: Sequence[RoleplayResult] = ()  # newest first
    drills: Sequence[DrillResult] = ()  # newest first
    kpi: KpiSummary | None = None  # over the ladder's KPI window, ending now
    okr_score: float | None = None
    endorsements: frozenset[str] = frozenset()  # level codes a trainer endorsed
    held: Mapping[str, datetime] = field(default_factory=dict)  # active grants: code → granted_at


@dataclass(frozen=True)
class Check:
    """One requirement: met or not, what the agent has against what is required."""

    kind: str
    key: str
    met: bool
    actual: Any
    required: Any
    detail: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "key": self.key,
            "met": self.met,
            "actual": self.actual,
            "required": self.required,
            **({"detail": dict(self.detail)} if self.detail else {}),
        }


@dataclass(frozen=True)
class Evaluation:
    """An agent's current level and the next level's requirements, each met or missing."""

    user_id: int
    level: str
    next_level: str | None
    checks: tuple[Check, ...]

    @property
    def met(self) -> list[Check]:
        return [c for c in self.checks if c.met]

    @property
    def missing(self) -> list[Check]:
        return [c for c in self.checks if not c.met]

    @property
    def eligible(self) -> bool:
        """Every requirement of the next level is met."""
        return self.next_level is not None and not self.missing

    @property
    def progress(self) -> float:
        """Share of the next level's requirements met, 0-100."""
        return 100.0 * len(self.met) / len(self.checks) if self.checks else 100.0


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def current_level(evidence: AgentEvidence, ladder: Ladder) -> Level:
    """The highest level the agent holds (the ladder's first level if none)."""
    held = [ladder.level(code) for code in evidence.held]
    held = [lv for lv in held if lv is not None]
    return max(held, key=lambda lv: lv.rank) if held else ladder.base


def _quiz_check(slug: str, passes: Mapping[str, QuizPass], now: datetime) -> Check:
    quiz_pass = passes.get(slug)
    if quiz_pass is None:
        return Check(QUIZ, slug, False, None, "valid pass")
    actual = {
        "score": quiz_pass.score,
        "passed_at": _iso(quiz_pass.passed_at),
        "expires_at": _iso(quiz_pass.expires_at),
    }
    valid = quiz_pass.expires_at is None or quiz_pass.expires_at > now
    return Check(QUIZ, slug, valid, actual, "valid pass", {} if valid else {"expired": True})


def _kpi_checks(rule: KpiRule, kpi: KpiSummary | None, window_days: int) -> list[Check]:
    conversations = kpi.conversations if kpi else 0
    checks = [
        Check(
            KPI_CONVERSATIONS,
            "conversations",
            conversations >= rule.min_conversations,
            conversations,
            rule.min_conversations,
            {"window_days": window_days},
        )
    ]
    for threshold in rule.thresholds:
        actual = kpi.values.get(threshold.kpi) if kpi else None
        checks.append(
            Check(
                KPI,
                threshold.kpi,
                actual is not None and threshold.met_by(actual),
                round(actual, 2) if actual is not None else None,
                threshold.value,
                {
                    "direction": "higher" if threshold.higher_is_better else "lower",
                    "window_days": window_days,
                },
            )
        )
    return checks


def check_level(
    level: Level, evidence: AgentEvidence, ladder: Ladder, now: datetime
) -> list[Check]:
    """Every requirement of `level` (courses and quizzes include the levels below) for the agent."""
    checks = [
        Check(
            COURSE,
            slug,
            slug in evidence.completed_courses,
            _iso(evidence.completed_courses.get(slug)),
            "completed",
        )
        for slug in ladder.courses_for(level)
    ]
    checks += [_quiz_check(slug, evidence.quiz_passes, now) for slug in ladder.quizzes_for(level)]
    if (rule := level.roleplay) is not None:
        qualifying = [
            r
            for r in evidence.roleplay
            if r.difficulty >= rule.min_difficulty
            and r.total >= rule.min_score
            and not r.critical_failed
        ]
        detail = {"min_difficulty": rule.min_difficulty, "min_score": rule.min_score}
        checks.append(
            Check(
                ROLEPLAY_SESSIONS,
                "sessions",
                len(qualifying) >= rule.sessions,
                len(qualifying),
                rule.sessions,
                detail,
            )
        )
        if rule.no_critical_in_last:
            recent = list(evidence.roleplay)[: rule.no_critical_in_last]
            critical = sum(1 for r in recent if r.critical_failed)
            checks.append(
                Check(
                    ROLEPLAY_CRITICAL,
                    "critical_failures",
                    critical == 0,
                    critical,
                    0,
                    {"last": rule.no_critical_in_last},
                )
            )
    if level.drill is not None:
        checks.append(_drill_check(level.drill, evidence.drills))
    if level.kpis is not None:
        checks += _kpi_checks(level.kpis, evidence.kpi, ladder.kpi_window_days)
    if level.okr_score is not None:
        score = evidence.okr_score
        checks.append(
            Check(
                OKR,
                "okr_score",
                score is not None and score >= level.okr_score,
                score,
                level.okr_score,
            )
        )
    if level.endorsement:
        endorsed = level.code in evidence.endorsements
        checks.append(Check(ENDORSEMENT, level.code, endorsed, endorsed, True))
    return checks


def evaluate(evidence: AgentEvidence, ladder: Ladder, now: datetime) -> Evaluation:
    """The agent's level and each requirement of the next level, met or missing."""
    level = current_level(evidence, ladder)
    following = ladder.above(level.code)
    checks = tuple(check_level(following, evidence, ladder, now)) if following else ()
    return Evaluation(evidence.user_id, level.code, following.code if following else None, checks)


# ---------------------------------------------------------------- keeping a level


@dataclass(frozen=True)
class RetentionState:
    """What was already recorded about a held level's problems."""

    noticed_at: datetime | None = None
    kpi_below_since: datetime | None = None


@dataclass(frozen=True)
class Retention:
    """Whether a held level stays, gets a notice (with the date it lapses) or lapses now."""

    level: str
    status: str
    problems: tuple[Check, ...] = ()
    lapse_due: datetime | None = None
    kpi_below: bool = False


def check_retention(
    evidence: AgentEvidence, ladder: Ladder, code: str, state: RetentionState, now: datetime
) -> Retention:
    """Check a held level against its quiz validity and KPI floors.

    A required quiz pass that expires (or is missing) lapses the level on its expiry date, but
    never sooner than `notice_days` after the notice; KPIs below a keep floor lapse it once they
    have stayed below for `lapse_grace_days`. Without enough conversations KPIs are not judged.
    """
    level = ladder.level(code)
    if level is None or level.rank == 0:
        return Retention(code, OK)
    notice_from = state.noticed_at or now
    # Notice and grace periods count calendar days in the organisation's zone: the level lapses
    # at the start of the local day they run out.
    min_notice = clock.start_of_day_after(notice_from, ladder.notice_days)
    problems: list[Check] = []
    due: list[datetime] = []
    for slug in ladder.quizzes_for(level):
        check = _quiz_check(slug, evidence.quiz_passes, now)
        quiz_pass = evidence.quiz_passes.get(slug)
        expires = quiz_pass.expires_at if quiz_pass else None
        if not check.met:
            problems.append(check)
            due.append(max(expires or now, min_notice))
        elif expires is not None and expires - now <= timedelta(days=ladder.notice_days):
            problems.append(Check(QUIZ, slug, True, check.actual, "valid pass", {"expiring": True}))
            due.append(max(expires, min_notice))
    kpi_below = False
    rule = level.keep_kpis
    if (
        rule is not None
        and evidence.kpi is not None
        and evidence.kpi.conversations >= rule.min_conversations
    ):
        below = [
            c for c in _kpi_checks(rule, evidence.kpi, ladder.kpi_window_days)[1:] if not c.met
        ]
        if below:
            kpi_below = True
            problems += below
            due.append(
                clock.start_of_day_after(state.kpi_below_since or now, ladder.lapse_grace_days)
            )
    if not problems:
        return Retention(code, OK)
    lapse_due = min(due)
    status = LAPSE if lapse_due <= now else NOTICE
    return Retention(code, status, tuple(problems), lapse_due, kpi_below)


def _drill_check(rule, drills: Sequence[DrillResult]) -> Check:
    """Met by one graded run of the drill at the share and within the breaches required."""
    runs = [d for d in drills if d.drill_slug == rule.drill and d.score is not None]
    shares = [
        round(100 * d.within_target_share, 1)
        for d in runs
        if d.within_target_share is not None and d.breaches <= rule.max_breaches
    ]
    best = max(shares, default=None)
    return Check(
        DRILL,
        rule.drill,
        best is not None and best >= rule.min_within_target,
        best,
        rule.min_within_target,
        {"max_breaches": rule.max_breaches, "runs": len(runs)},
    )
