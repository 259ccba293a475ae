"""Public API of role-play for the features above it: graded results per agent."""

from datetime import datetime

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
        every = request_memo(("roleplay.results", uid), lambda: _read([uid], None)[uid])
        return {uid: [r for r in every if since is None or r.ended_at >= since]}
    return _read(list(results), since)


def _read(user_ids: list[int], since: datetime | None) -> dict[int, list[RoleplayResult]]:
    results: dict[int, list[RoleplayResult]] = {uid: [] for uid in user_ids}
    query = (
        db.select(RoleplaySession, RoleplayGrade, Scenario.slug)
        .join(RoleplayGrade, RoleplayGrade.session_id == RoleplaySession.id)
        .join(Scenario, Scenario.id == RoleplaySession.scenario_id)
        .where(
            RoleplaySession.user_id.in_(list(user_ids)),
            RoleplaySession.status == GRADED,
            RoleplaySession.trial.is_(False),
        )
        .order_by(RoleplaySession.ended_at.desc(), RoleplaySession.id.desc())
    )
    if since is not None:
        query = query.where(RoleplaySession.ended_at >= since)
    for session, grade, slug in db.session.execute(query):
        results[session.user_id].append(
            RoleplayResult(
                session_id=session.id,
                scenario_slug=slug,
                difficulty=session.difficulty,
                total=grade.total,
                passed=grade.passed,
                critical_failed=grade.critical_failed,
                ended_at=session.ended_at,
                reviewed=grade.reviewed_at is not None,
            )
        )
    return results
