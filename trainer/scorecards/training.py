"""Training evidence read through the other features' contracts (docs/architecture.md).

The contracts are imported lazily: while a feature is not installed (or not built yet) its
track simply has no evidence. Errors inside a contract are not hidden.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml
from flask import current_app

from trainer.core import clock
from trainer.core.evidence import QuizPass, RoleplayResult


def completed_courses(user_ids: Iterable[int]) -> dict[int, dict[str, datetime]]:
    """Course slug → completed_at per user (courses.services.completed_courses)."""
    try:
        from trainer.courses.services import completed_courses as contract
    except ImportError:
        return {}
    return contract(list(user_ids))


def quiz_passes(user_ids: Iterable[int]) -> dict[int, dict[str, QuizPass]]:
    """Quiz slug → best passing result per user (quizzes.services.quiz_passes)."""
    try:
        from trainer.quizzes.services import quiz_passes as contract
    except ImportError:
        return {}
    return contract(list(user_ids))


def roleplay_results(
    user_ids: Iterable[int], since: datetime | None = None
) -> dict[int, list[RoleplayResult]]:
    """Graded role-play sessions per user, newest first (roleplay.services.roleplay_results)."""
    try:
        from trainer.roleplay.services import roleplay_results as contract
    except ImportError:
        return {}
    return contract(list(user_ids), since=since)


def course_titles(slugs: Iterable[str]) -> dict[str, dict]:
    """Course titles {"zh_CN", "en"} by slug when the courses feature offers them."""
    try:
        from trainer.courses.services import course_titles as lookup
    except ImportError:
        return {}
    return lookup(list(slugs))


def quiz_titles(slugs: Iterable[str]) -> dict[str, dict]:
    """Quiz titles {"zh_CN", "en"} by slug: from the quizzes feature if it offers a lookup,
    else from the shipped quiz definitions (courses/*/quiz.yaml)."""
    slugs = list(slugs)
    try:
        from trainer.quizzes.services import quiz_titles as lookup
    except ImportError:
        titles = _shipped_quiz_titles(str(current_app.config["CONTENT_ROOT"]))
        return {slug: titles[slug] for slug in slugs if slug in titles}
    return lookup(slugs)


@functools.lru_cache(maxsize=4)
def _shipped_quiz_titles(root: str) -> dict[str, dict]:
    titles: dict[str, dict] = {}
    for path in sorted(Path(root).glob("courses/*/quiz.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        items = data.get("quizzes", []) if isinstance(data, dict) else []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("slug") and isinstance(item.get("title"), dict):
                titles[str(item["slug"])] = dict(item["title"])
    return titles


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
