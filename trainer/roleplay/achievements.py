"""Public API of role-play for the features above it: graded results per agent."""

from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam

from trainer.core.evidence import RoleplayResult
from trainer.core.memo import memo_active, request_memo
from trainer.extensions import db
from trainer.roleplay.models import GRADED, RoleplayGrade, RoleplaySession, Scenario


def roleplay_results(
    user_ids: list[int], since: datetime | None = None
) -> dict[int, list[RoleplayResult]]:
    """Final grades (after trainer review, when there was one) per user, newest first.

    Trial runs are left out. Every requested user id is a key, with an empty list if needed.
    """
    results: dict[int, list[RoleplayResult]] = {uid: [] for uid in user_ids}
    if not user_ids:
        return results
    if len(results) == 1 and memo_active():  # one agent's page: read once for every panel
        (uid,) = results
        every = request_memo(("roleplay.results", uid), lambda: _graded(own_sessions(uid)))
        return {uid: [r for r in every if since is None or r.ended_at >= since]}
    return _read(list(results), since)


def roleplay_results_among(users: Select, since: datetime) -> dict[int, list[RoleplayResult]]:
    """`roleplay_results` for the users a query of user ids selects (a team, the organisation),
    without sending thousands of ids back to the database; users without results left out."""
    return _read(users, since, {})


def _read(
    user_ids: list[int] | Select,
    since: datetime | None,
    results: dict[int, list[RoleplayResult]] | None = None,
) -> dict[int, list[RoleplayResult]]:
    if results is None:
        results = {uid: [] for uid in user_ids}
    query = (  # plain columns, no ORM objects: an organisation's ranking reads thousands
        db.select(
            RoleplaySession.id,
            RoleplaySession.user_id,
            RoleplaySession.difficulty,
            RoleplaySession.ended_at,
            Scenario.slug,
            RoleplayGrade.total,
            RoleplayGrade.passed,
            RoleplayGrade.critical_failed,
            RoleplayGrade.reviewed_at,
        )
        .join(RoleplayGrade, RoleplayGrade.session_id == RoleplaySession.id)
        .join(Scenario, Scenario.id == RoleplaySession.scenario_id)
        .where(
            RoleplaySession.user_id.in_(user_ids),
            RoleplaySession.status == GRADED,
            RoleplaySession.trial.is_(False),
        )
        .order_by(RoleplaySession.ended_at.desc(), RoleplaySession.id.desc())
    )
    if since is not None:
        query = query.where(RoleplaySession.ended_at >= since)
    for row in db.session.execute(query):  # the row has the session's and grade's fields
        results.setdefault(row.user_id, []).append(_result(row, row, row.slug))
    return results


def own_sessions(user_id: int) -> list[RoleplaySession]:
    """Every session of one agent (trial runs left out), newest first, with scenario and grade:
    read once per GET request, for the home panel's recent sessions and the graded results."""

    def load() -> list[RoleplaySession]:
        rows = db.session.scalars(_own_sessions_statement(), {"user_id": user_id})
        return list(rows.unique())

    return request_memo(("roleplay.sessions", user_id), load)


@cache
def _own_sessions_statement() -> Select:
    """The statement of `own_sessions`, the user's id a bound parameter: built once per process
    (building a statement costs more CPU than the database spends running this one)."""
    return (
        db.select(RoleplaySession)
        .where(RoleplaySession.user_id == bindparam("user_id"), RoleplaySession.trial.is_(False))
        .options(db.joinedload(RoleplaySession.scenario), db.joinedload(RoleplaySession.grade))
        .order_by(RoleplaySession.started_at.desc(), RoleplaySession.id.desc())
    )


def _graded(sessions: list[RoleplaySession]) -> list[RoleplayResult]:
    """The graded ones among one agent's sessions, newest end first (as `_read` orders them)."""
    graded = [s for s in sessions if s.status == GRADED and s.grade is not None]
    graded.sort(key=lambda s: (s.ended_at or s.started_at, s.id), reverse=True)
    return [_result(s, s.grade, s.scenario.slug) for s in graded]


def _result(session: RoleplaySession, grade: RoleplayGrade, slug: str) -> RoleplayResult:
    return RoleplayResult(
        session_id=session.id,
        scenario_slug=slug,
        difficulty=session.difficulty,
        total=grade.total,
        passed=grade.passed,
        critical_failed=grade.critical_failed,
        ended_at=session.ended_at,
        reviewed=grade.reviewed_at is not None,
    )
