"""Role-play services the pages read: histories, assignments (public API: achievements)."""

from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam

from trainer.core import audit
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.roleplay.models import (
    RoleplayAssignment,
    RoleplayGrade,
    RoleplayItemOverride,
    RoleplaySession,
    Scenario,
)


def user_sessions(user, limit: int = 20) -> list[RoleplaySession]:
    """The user's own sessions (not trials), newest first, with scenario and grade loaded."""
    return list(
        db.session.scalars(
            db.select(RoleplaySession)
            .where(RoleplaySession.user_id == user.id, RoleplaySession.trial.is_(False))
            .options(db.joinedload(RoleplaySession.scenario), db.joinedload(RoleplaySession.grade))
            .order_by(RoleplaySession.started_at.desc(), RoleplaySession.id.desc())
            .limit(limit)
        ).unique()
    )


def best_scores(user) -> dict[int, float]:
    """Scenario id → the user's best final total."""
    rows = db.session.execute(
        db.select(RoleplaySession.scenario_id, db.func.max(RoleplayGrade.total))
        .join(RoleplayGrade, RoleplayGrade.session_id == RoleplaySession.id)
        .where(RoleplaySession.user_id == user.id, RoleplaySession.trial.is_(False))
        .group_by(RoleplaySession.scenario_id)
    )
    return dict(rows.all())


def load_session_detail(session_id: int) -> RoleplaySession | None:
    """A session with everything its result or review page shows, in a fixed number of queries."""
    return db.session.scalar(
        db.select(RoleplaySession)
        .where(RoleplaySession.id == session_id)
        .options(
            db.joinedload(RoleplaySession.scenario),
            db.joinedload(RoleplaySession.version),
            db.joinedload(RoleplaySession.user),
            db.selectinload(RoleplaySession.turns),
            db.joinedload(RoleplaySession.grade)
            .selectinload(RoleplayGrade.overrides)
            .joinedload(RoleplayItemOverride.reviewer),
            db.joinedload(RoleplaySession.grade).joinedload(RoleplayGrade.reviewer),
        )
    )


def can_view_session(user, session: RoleplaySession) -> bool:
    """Owner, trainers and admins; managers for their own team's agents."""
    if session.user_id == user.id or user.role in ("trainer", "admin"):
        return True
    return (
        user.role == "manager"
        and user.team_id is not None
        and session.user is not None
        and session.user.team_id == user.team_id
    )


# ---------------------------------------------------------------- assignments


def assigned_scenarios(user) -> list[RoleplayAssignment]:
    """Published scenarios assigned to the user, soonest due first, with completion known."""
    return list(db.session.scalars(_assigned_statement(), {"user_id": user.id}))


@cache
def _assigned_statement() -> Select:
    """The statement of `assigned_scenarios`, the user's id a bound parameter: built once per
    process (the home page reads it on every visit)."""
    return (
        db.select(RoleplayAssignment)
        .join(Scenario, Scenario.id == RoleplayAssignment.scenario_id)
        .where(RoleplayAssignment.user_id == bindparam("user_id"), Scenario.published)
        .options(db.contains_eager(RoleplayAssignment.scenario))
        .order_by(RoleplayAssignment.due_at.is_(None), RoleplayAssignment.due_at, Scenario.slug)
    )


def passed_scenario_ids(user, since: datetime | None = None) -> set[int]:
    """Scenarios the user has passed (final grade), optionally since a date."""
    query = (
        db.select(RoleplaySession.scenario_id)
        .join(RoleplayGrade, RoleplayGrade.session_id == RoleplaySession.id)
        .where(
            RoleplaySession.user_id == user.id,
            RoleplaySession.trial.is_(False),
            RoleplayGrade.passed,
        )
    )
    if since is not None:
        query = query.where(RoleplaySession.ended_at >= since)
    return set(db.session.scalars(query))


def assign_scenario(scenario: Scenario, agents: list, *, actor, due_at=None) -> int:
    """Assign a published scenario to agents (existing assignments get the new due date)."""
    if not scenario.published:
        raise ValueError(_("Publish the scenario before assigning it."))
    existing = {
        a.user_id: a
        for a in db.session.scalars(
            db.select(RoleplayAssignment).where(
                RoleplayAssignment.scenario_id == scenario.id,
                RoleplayAssignment.user_id.in_([agent.id for agent in agents]),
            )
        )
    }
    count = 0
    for agent in agents:
        if agent.role != "agent":
            continue
        assignment = existing.get(agent.id)
        if assignment is None:
            assignment = RoleplayAssignment(
                scenario_id=scenario.id, user_id=agent.id, created_at=utcnow()
            )
            db.session.add(assignment)
        assignment.assigned_by_id = actor.id
        assignment.due_at = due_at
        count += 1
    db.session.flush()
    audit.record(
        actor,
        "scenario.assign",
        scenario,
        agents=[a.id for a in agents],
        due_at=(due_at.isoformat() if due_at else None),
    )
    return count


def remove_assignment(assignment: RoleplayAssignment, *, actor) -> None:
    """Withdraw an assignment."""
    audit.record(actor, "scenario.unassign", assignment.scenario, user_id=assignment.user_id)
    db.session.delete(assignment)
    db.session.flush()


def passed_pairs(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which (user id, scenario id) pairs have a passing final grade (one query)."""
    if not pairs:
        return set()
    user_ids = {user_id for user_id, _scenario in pairs}
    rows = db.session.execute(
        db.select(RoleplaySession.user_id, RoleplaySession.scenario_id)
        .join(RoleplayGrade, RoleplayGrade.session_id == RoleplaySession.id)
        .where(
            RoleplaySession.user_id.in_(user_ids),
            RoleplaySession.trial.is_(False),
            RoleplayGrade.passed,
        )
        .distinct()
    )
    return {tuple(row) for row in rows} & set(pairs)
