"""Trainers and managers assign courses to agents or whole teams, with a due date.

Managers act on their own team only (`user.team_id`); trainers and admins on everyone. A team
assignment enrols the team's current agents (people who join later are assigned separately).
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from trainer.accounts.models import Team, User
from trainer.core import audit, clock
from trainer.core.auth import MANAGER
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.courses.models import Course, Enrollment
from trainer.extensions import db
from trainer.notifications import hooks as notification_hooks


class AssignmentError(ValueError):
    """A user-facing reason an assignment was refused (nothing was changed)."""


@dataclass(frozen=True)
class AssignResult:
    """How many agents got a new assignment, an updated one, or had finished the course."""

    assigned: int
    updated: int
    already_completed: int


def scope_team_id(actor: Any) -> int | None:
    """The only team a manager may see (-1 when they lead none); None: every team."""
    if actor.role == MANAGER:
        return actor.team_id if actor.team_id is not None else -1
    return None


def assignable_agents(actor: Any) -> list[User]:
    """Active agents the actor may assign courses to, by name."""
    query = db.select(User).where(User.role == "agent", User.active).order_by(User.name)
    team_id = scope_team_id(actor)
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    return list(db.session.scalars(query))


def assignable_teams(actor: Any) -> list[Team]:
    """Teams the actor may assign to or report on."""
    query = db.select(Team).order_by(Team.name)
    team_id = scope_team_id(actor)
    if team_id is not None:
        query = query.where(Team.id == team_id)
    return list(db.session.scalars(query))


def agents_of_team(team: Team, actor: Any) -> list[User]:
    """The team's active agents, if the actor may act on that team."""
    if team.id not in {t.id for t in assignable_teams(actor)}:
        raise AssignmentError(_("You can only assign courses to your own team."))
    return [u for u in assignable_agents(actor) if u.team_id == team.id]


def due_at_end_of(day: date) -> datetime:
    """A due date means "by the end of that day" in the organisation's zone, stored in UTC."""
    return clock.end_of_day(day)


def assign_course(
    course: Course, agents: list[User], due_at: datetime | None, actor: Any
) -> AssignResult:
    """Assign `course` to each agent (or move the due date of an existing assignment)."""
    if not course.published or course.retired_at is not None:
        raise AssignmentError(_("Only published courses can be assigned."))
    if not agents:
        raise AssignmentError(_("Nobody to assign: choose an agent or a team with agents."))
    allowed = {u.id for u in assignable_agents(actor)}
    if any(agent.id not in allowed for agent in agents):
        raise AssignmentError(_("You can only assign courses to active agents of your team."))
    existing = {
        e.user_id: e
        for e in db.session.scalars(
            db.select(Enrollment).where(
                Enrollment.course_id == course.id,
                Enrollment.user_id.in_([a.id for a in agents]),
            )
        )
    }
    now, assigned, updated, done = utcnow(), 0, 0, 0
    told: list[Enrollment] = []  # newly assigned: each agent is notified (issue 13)
    for agent in agents:
        enrollment = existing.get(agent.id)
        if enrollment is None:
            enrollment = Enrollment(user_id=agent.id, course_id=course.id)
            db.session.add(enrollment)
        if enrollment.completed_at is not None:
            done += 1
        elif enrollment.assigned_at is not None:
            updated += 1
        else:
            assigned += 1
        if enrollment.assigned_at is None:
            enrollment.assigned_at = now
            enrollment.user = agent
            told.append(enrollment)
        enrollment.assigned_by_id = actor.id
        enrollment.due_at = due_at
    db.session.flush()
    audit.record(
        actor,
        "course.assign",
        course,
        user_ids=[a.id for a in agents],
        due_at=due_at.isoformat() if due_at else None,
    )
    for enrollment in told:
        if enrollment.completed_at is None:
            notification_hooks.course_assigned(enrollment, course, actor)
    return AssignResult(assigned, updated, done)


def unassign_course(enrollment: Enrollment, actor: Any) -> None:
    """Withdraw an assignment; the agent's progress stays."""
    if enrollment.user_id not in {u.id for u in assignable_agents(actor)}:
        raise AssignmentError(_("You can only change assignments of your own team."))
    enrollment.assigned_at = enrollment.due_at = enrollment.assigned_by_id = None
    db.session.flush()
    audit.record(actor, "course.unassign", enrollment.course, user_id=enrollment.user_id)
