"""Lookups that enforce who sees what: agents themselves, managers their team, admins all."""

from flask import abort

from trainer.accounts.models import Team, User
from trainer.core.auth import ADMIN, AGENT, MANAGER
from trainer.extensions import db
from trainer.scorecards.okr_models import OkrKeyResult, OkrObjective, OkrSet


def can_see_agent(viewer: User, agent: User) -> bool:
    """Agents see themselves, managers the agents of their team, admins everyone."""
    if viewer.role == ADMIN:
        return True
    if viewer.role == MANAGER:
        return viewer.team_id is not None and agent.team_id == viewer.team_id
    return viewer.id == agent.id


def get_visible_agent_or_404(agent_id: int, viewer: User) -> User:
    """The agent with this id if the viewer may see them; 404 otherwise (existence stays hidden)."""
    agent = db.session.get(User, agent_id)
    if agent is None or agent.role != AGENT or not can_see_agent(viewer, agent):
        abort(404)
    return agent


def viewer_team(viewer: User, team_id: int | None = None) -> Team | None:
    """The team a manager leads, or the team an admin picked (else the first team)."""
    if viewer.role == MANAGER:
        return db.session.get(Team, viewer.team_id) if viewer.team_id else None
    if viewer.role != ADMIN:
        return None
    if team_id:
        return db.session.get(Team, team_id)
    return db.session.scalar(db.select(Team).order_by(Team.name).limit(1))


def get_own_key_result_or_404(kr_id: int, agent: User) -> OkrKeyResult:
    """A key result of the agent's own OKRs."""
    query = (
        db.select(OkrKeyResult)
        .join(OkrObjective, OkrObjective.id == OkrKeyResult.objective_id)
        .join(OkrSet, OkrSet.id == OkrObjective.set_id)
        .where(OkrKeyResult.id == kr_id, OkrSet.agent_id == agent.id)
    )
    key_result = db.session.scalar(query)
    if key_result is None:
        abort(404)
    return key_result


def get_reviewable_set_or_404(set_id: int, viewer: User) -> OkrSet:
    """An OKR set of an agent the viewer manages (admins: any)."""
    okr_set = db.session.get(OkrSet, set_id)
    if okr_set is None or okr_set.agent is None or not can_see_agent(viewer, okr_set.agent):
        abort(404)
    if viewer.role not in (MANAGER, ADMIN):
        abort(404)
    return okr_set
