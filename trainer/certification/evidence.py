"""Collecting the evidence the engine judges, through the cross-feature contracts.

Courses, quizzes and role-play are read only via their contracts (imported lazily in
scorecards.training, so a feature that is not installed simply contributes no evidence);
KPIs and OKRs via scorecards.services; grants and endorsements from this package's tables.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from trainer.accounts.models import User
from trainer.certification.engine import AgentEvidence
from trainer.certification.ladder import Ladder
from trainer.certification.models import GRANTED, Certification, Endorsement
from trainer.core import clock
from trainer.extensions import db
from trainer.scorecards import services as scorecards
from trainer.scorecards import training
from trainer.scorecards.periods import previous_quarter, quarter_of


def granted_levels(user_ids: list[int]) -> dict[int, dict[str, Certification]]:
    """Active grants per user: level code → certification row."""
    if not user_ids:
        return {}
    rows = db.session.scalars(
        db.select(Certification).where(
            Certification.user_id.in_(user_ids), Certification.status == GRANTED
        )
    )
    held: dict[int, dict[str, Certification]] = {}
    for row in rows:
        held.setdefault(row.user_id, {})[row.level] = row
    return held


def endorsements(user_ids: list[int]) -> dict[int, frozenset[str]]:
    """Levels each user holds a (not withdrawn) trainer endorsement for."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        db.select(Endorsement.user_id, Endorsement.level).where(
            Endorsement.user_id.in_(user_ids), Endorsement.withdrawn_at.is_(None)
        )
    )
    found: dict[int, set[str]] = {}
    for user_id, level in rows:
        found.setdefault(user_id, set()).add(level)
    return {uid: frozenset(levels) for uid, levels in found.items()}


def latest_okr_scores(user_ids: list[int], now: datetime) -> dict[int, float]:
    """This quarter's approved OKR score, else last quarter's."""
    this_quarter = quarter_of(clock.local_date(now))
    scores = scorecards.okr_scores(user_ids, previous_quarter(this_quarter))
    scores.update(scorecards.okr_scores(user_ids, this_quarter))
    return scores


def collect_evidence(
    users: Iterable[User], ladder: Ladder, now: datetime
) -> dict[int, AgentEvidence]:
    """Evidence per agent: a fixed number of queries and contract calls whatever the count."""
    ids = [u.id for u in users]
    if not ids:
        return {}
    today = clock.local_date(now)  # KPI days are the organisation's calendar days
    window_start = today - timedelta(days=ladder.kpi_window_days - 1)
    courses = training.completed_courses(ids)
    passes = training.quiz_passes(ids)
    plays = training.roleplay_results(ids)
    kpis = scorecards.kpi_summary(ids, window_start, today)
    okr = latest_okr_scores(ids, now)
    held = granted_levels(ids)
    endorsed = endorsements(ids)
    return {
        uid: AgentEvidence(
            user_id=uid,
            completed_courses=courses.get(uid, {}),
            quiz_passes=passes.get(uid, {}),
            roleplay=tuple(plays.get(uid, [])),
            kpi=kpis.get(uid),
            okr_score=okr.get(uid),
            endorsements=endorsed.get(uid, frozenset()),
            held={code: row.granted_at for code, row in held.get(uid, {}).items()},
        )
        for uid in ids
    }
