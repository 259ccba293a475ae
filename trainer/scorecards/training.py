"""Training results for scorecards, read through the features' public APIs (achievements)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from trainer.core import clock
from trainer.core.evidence import QuizPass, RoleplayResult
from trainer.courses.achievements import completed_courses
from trainer.quizzes.achievements import quiz_passes, quiz_titles
from trainer.roleplay.achievements import roleplay_results, roleplay_results_among

__all__ = [
    "TrainingSummary",
    "day_end",
    "day_start",
    "quiz_titles",
    "roleplay_results",
    "roleplay_results_among",
    "training_summaries",
]


def day_start(day: date) -> datetime:
    """Start of the organisation's calendar day `day`, as a UTC instant."""
    return clock.day_bounds(day)[0]


def day_end(day: date) -> datetime:
    """End (exclusive) of the organisation's calendar day `day`, as a UTC instant."""
    return clock.day_bounds(day)[1]


@dataclass
class TrainingSummary:
    """One agent's training results for a scorecard period."""

    courses: dict[str, datetime] = field(default_factory=dict)
    courses_in_period: int = 0
    valid_passes: list[QuizPass] = field(default_factory=list)
    expired_passes: list[QuizPass] = field(default_factory=list)
    roleplays: list[RoleplayResult] = field(default_factory=list)

    @property
    def roleplay_average(self) -> float | None:
        if not self.roleplays:
            return None
        return round(sum(r.total for r in self.roleplays) / len(self.roleplays), 1)

    @property
    def critical_failures(self) -> int:
        return sum(1 for r in self.roleplays if r.critical_failed)


def training_summaries(
    user_ids: Iterable[int], start: date, end: date, now: datetime
) -> dict[int, TrainingSummary]:
    """Training results per user for [start, end]: three contract calls whatever the team size."""
    ids = list(set(user_ids))
    courses = completed_courses(ids)
    passes = quiz_passes(ids)
    plays = roleplay_results(ids, since=day_start(start))
    period_start, period_end = day_start(start), day_end(end)
    summaries = {}
    for uid in ids:
        done = courses.get(uid, {})
        user_passes = list(passes.get(uid, {}).values())
        summaries[uid] = TrainingSummary(
            courses=dict(done),
            courses_in_period=sum(1 for at in done.values() if period_start <= at < period_end),
            valid_passes=[p for p in user_passes if p.expires_at is None or p.expires_at > now],
            expired_passes=[
                p for p in user_passes if p.expires_at is not None and p.expires_at <= now
            ],
            roleplays=[r for r in plays.get(uid, []) if period_start <= r.ended_at < period_end],
        )
    return summaries
