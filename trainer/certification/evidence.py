"""Collecting the evidence the engine judges, through the features' public APIs.

Courses, quizzes and role-play are read through their `achievements` modules; KPIs and OKRs
through scorecards.services; grants and endorsements from this package's tables.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func

from trainer.accounts.models import User
from trainer.certification.engine import AgentEvidence
from trainer.certification.ladder import Ladder, current_ladder
from trainer.certification.models import GRANTED, PROPOSED, Certification, Endorsement
from trainer.core import clock
from trainer.core.memo import memo_active, request_memo
from trainer.courses import achievements as courses_api
from trainer.drills import achievements as drills_api
from trainer.extensions import db
from trainer.quizzes import achievements as quizzes_api
from trainer.roleplay import achievements as roleplay_api
from trainer.scorecards import services as scorecards


@cache
def _one_agent_statement() -> Any:
    """The statement of `_one_agent`, the user's id a bound parameter: built once per process."""
    endorsed = (
        db.select(func.aggregate_strings(Endorsement.level, ","))
        .where(Endorsement.user_id == User.id, Endorsement.withdrawn_at.is_(None))
        .scalar_subquery()
    )
    return (
        db.select(Certification, endorsed)
        .select_from(User)
        .outerjoin(
            Certification,
            db.and_(
                Certification.user_id == User.id, Certification.status.in_((PROPOSED, GRANTED))
            ),
        )
        .where(User.id == bindparam("user_id"))
        .options(db.joinedload(Certification.proposed_by), db.joinedload(Certification.certificate))
        .order_by(Certification.created_at)
    )


def _one_agent(user_id: int) -> tuple[list[Certification], frozenset[str]]:
    """One agent's proposed and granted certifications (oldest first, with who proposed them and
    their certificates) and the levels they hold a trainer endorsement for: one statement from
    the user's row, so the endorsements come even without a certification."""
    rows = db.session.execute(_one_agent_statement(), {"user_id": user_id}).unique()
    rows = rows.all()  # one row for the user (NULL certification) or one per certification
    certifications = [certification for certification, _levels in rows if certification]
    levels = (rows[0][1] or "") if rows else ""
    return certifications, frozenset(level for level in levels.split(",") if level)


def _one_agent_memo(user_id: int) -> tuple[list[Certification], frozenset[str]]:
    """`_one_agent`, read once per GET request: the level panel's parts share it."""
    return request_memo(("certification.one_agent", user_id), lambda: _one_agent(user_id))


def user_open_certifications(user_id: int) -> list[Certification]:
    """The user's proposed and granted certifications, oldest first, with who proposed them
    and their certificates: read with the endorsements, shared by a GET request's panels."""
    return _one_agent_memo(user_id)[0]


def granted_levels(user_ids: list[int]) -> dict[int, dict[str, Certification]]:
    """Active grants per user: level code → certification row."""
    if not user_ids:
        return {}
    if len(user_ids) == 1 and memo_active():  # one agent's page: shared with its other panels
        rows = [c for c in user_open_certifications(user_ids[0]) if c.status == GRANTED]
    else:
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
    """Levels each user holds a (not withdrawn) trainer endorsement for (users without any are
    left out)."""
    if not user_ids:
        return {}
    if len(user_ids) == 1 and memo_active():  # one agent's page: read with the certifications
        levels = _one_agent_memo(user_ids[0])[1]
        return {user_ids[0]: levels} if levels else {}
    rows = db.session.execute(
        db.select(Endorsement.user_id, Endorsement.level).where(
            Endorsement.user_id.in_(user_ids), Endorsement.withdrawn_at.is_(None)
        )
    )
    found: dict[int, set[str]] = {}
    for user_id, level in rows:
        found.setdefault(user_id, set()).add(level)
    return {uid: frozenset(levels) for uid, levels in found.items()}


def kpi_window(ladder: Ladder, today: date) -> tuple[date, date]:
    """The days whose KPIs the ladder judges, ending `today` (the organisation's day)."""
    return today - timedelta(days=ladder.kpi_window_days - 1), today


def ladder_kpi_window(today: date) -> tuple[date, date]:
    """The ladder in force's KPI window (registered with scorecards' agentkpis)."""
    return kpi_window(current_ladder(), today)


def collect_evidence(
    users: Iterable[User], ladder: Ladder, now: datetime
) -> dict[int, AgentEvidence]:
    """Evidence per agent: a fixed number of queries and API calls whatever the count."""
    ids = [u.id for u in users]
    if not ids:
        return {}
    today = clock.local_date(now)  # KPI days are the organisation's calendar days
    window_start, _end = kpi_window(ladder, today)
    courses = courses_api.completed_courses(ids)
    passes = quizzes_api.quiz_passes(ids)
    plays = roleplay_api.roleplay_results(ids)
    drills = drills_api.drill_results(ids)
    kpis = scorecards.kpi_summary(ids, window_start, today)
    okr = scorecards.latest_okr_scores(ids, today)
    held = granted_levels(ids)
    endorsed = endorsements(ids)
    return {
        uid: AgentEvidence(
            user_id=uid,
            completed_courses=courses.get(uid, {}),
            quiz_passes=passes.get(uid, {}),
            roleplay=tuple(plays.get(uid, [])),
            drills=tuple(drills.get(uid, [])),
            kpi=kpis.get(uid),
            okr_score=okr.get(uid),
            endorsements=endorsed.get(uid, frozenset()),
            held={code: row.granted_at for code, row in held.get(uid, {}).items()},
        )
        for uid in ids
    }
