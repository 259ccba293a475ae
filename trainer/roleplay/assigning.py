"""The assignment page: who may assign what to whom (managers: their own team only)."""

from datetime import UTC, datetime, time

from trainer.accounts.models import Team, User
from trainer.core.forms import choices
from trainer.core.i18n import _, pick
from trainer.extensions import db
from trainer.roleplay import services
from trainer.roleplay.models import RoleplayAssignment, Scenario


def _teams_in_scope(user) -> list[Team]:
    query = db.select(Team).order_by(Team.name)
    if user.role == "manager":
        query = query.where(Team.id == (user.team_id or -1))
    return list(db.session.scalars(query))


def _agents_in_scope(user) -> list[User]:
    query = db.select(User).where(User.role == "agent", User.active).order_by(User.name)
    if user.role == "manager":
        query = query.where(User.team_id == (user.team_id or -1))
    return list(db.session.scalars(query))


def fill_choices(form, user) -> None:
    """Published scenarios, and the teams and agents the user may assign to."""
    scenarios = db.session.scalars(
        db.select(Scenario).where(Scenario.published).order_by(Scenario.slug)
    )
    form.scenario.choices = choices((s.slug, pick(s.title)) for s in scenarios)
    form.team.choices = choices(
        [(0, _("— choose a team —"))] + [(t.id, t.name) for t in _teams_in_scope(user)]
    )
    form.agent.choices = choices(
        [(0, _("— or one agent —"))]
        + [(a.id, f"{a.name} <{a.email}>") for a in _agents_in_scope(user)]
    )


def assign_from_form(form, user) -> int:
    """Assign the chosen scenario to the chosen team's agents or to one agent."""
    scenario = db.session.scalar(db.select(Scenario).where(Scenario.slug == form.scenario.data))
    if scenario is None:
        raise ValueError(_("Choose a scenario."))
    in_scope = {a.id: a for a in _agents_in_scope(user)}
    if form.agent.data:
        agents = [in_scope[form.agent.data]] if form.agent.data in in_scope else []
    elif form.team.data:
        agents = [a for a in in_scope.values() if a.team_id == form.team.data]
    else:
        raise ValueError(_("Choose a team or an agent."))
    if not agents:
        raise ValueError(_("No agents to assign to."))
    due = datetime.combine(form.due.data, time(23, 59), tzinfo=UTC) if form.due.data else None
    return services.assign_scenario(scenario, agents, actor=user, due_at=due)


def visible_assignments(user) -> list[tuple[RoleplayAssignment, bool]]:
    """Assignments the user may see, with whether the agent has passed the scenario."""
    query = (
        db.select(RoleplayAssignment)
        .join(User, User.id == RoleplayAssignment.user_id)
        .options(db.joinedload(RoleplayAssignment.scenario), db.joinedload(RoleplayAssignment.user))
        .order_by(RoleplayAssignment.due_at.is_(None), RoleplayAssignment.due_at, User.name)
        .limit(500)
    )
    if user.role == "manager":
        query = query.where(User.team_id == (user.team_id or -1))
    rows = list(db.session.scalars(query))
    passed = services.passed_pairs([(a.user_id, a.scenario_id) for a in rows])
    return [(a, (a.user_id, a.scenario_id) in passed) for a in rows]


def may_manage(user, assignment: RoleplayAssignment) -> bool:
    """Trainers and admins any; managers only their own team's agents' (none without a team)."""
    if user.role != "manager":
        return True
    return (
        user.team_id is not None
        and assignment.user is not None
        and assignment.user.team_id == user.team_id
    )
