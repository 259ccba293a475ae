"""Home page panels: an agent's month so far, a manager's team at a glance."""

from datetime import date

from flask import url_for
from sqlalchemy import func

from trainer.accounts.models import User
from trainer.core.clock import today
from trainer.core.features import ActionItem
from trainer.core.i18n import _
from trainer.core.memo import request_memo
from trainer.extensions import db
from trainer.scorecards import okrs
from trainer.scorecards.catalogue import current_catalogue
from trainer.scorecards.figures import agent_figures, figures_for, team_pooled
from trainer.scorecards.okr_models import APPROVED, SUBMITTED, OkrSet
from trainer.scorecards.periods import period_containing
from trainer.scorecards.scoring import MET, MISSED


def agent_panel(user: User) -> dict:
    """This month's composite and KPI statuses, and this quarter's OKR state."""
    period = period_containing("month", today())
    figures = figures_for(user.id, period)
    statuses = list(figures.statuses.values())
    okr_set = okrs.get_set(user.id, period.quarter)
    return {
        "period": period,
        "composite": figures.composite.score,
        "met": statuses.count(MET),
        "missed": statuses.count(MISSED),
        "total": len(statuses),
        "conversations": figures.conversations,
        "okr_set": okr_set,
        "okr_score": okrs.set_score(okr_set) if okr_set and okr_set.status == APPROVED else None,
    }


def month_window(day: date) -> tuple[date, date]:
    """The month the agent's home panel shows (registered with agentkpis)."""
    period = period_containing("month", day)
    return period.start, period.end


def manager_panel(user: User) -> dict:
    """The team's pooled month so far, agents missing a KPI, OKRs waiting for approval."""
    if user.team_id is None:
        return {"team": None}
    period = period_containing("month", today())
    agents = db.session.scalars(
        db.select(User.id).where(User.team_id == user.team_id, User.role == "agent")
    )
    members = [f for f in agent_figures(agents, period).values() if f.summary is not None]
    _pooled, composite = team_pooled(user.team_id, period)
    pending = _okrs_waiting(user.team_id)
    return {
        "team": user.team,
        "period": period,
        "composite": composite.score,
        "agents_with_data": len(members),
        "agents_missing": sum(1 for f in members if f.missed),
        "pending_okrs": pending or 0,
    }


def manager_actions(user: User) -> list[ActionItem]:
    """Submitted OKRs in the manager's team waiting for approval."""
    if user.team_id is None:
        return []
    pending = _okrs_waiting(user.team_id)
    label = _("OKR sets to approve")
    return [ActionItem(label, pending, url_for("okrs.review"))]


def _okrs_waiting(team_id: int) -> int:
    """How many of a team's OKR sets are submitted and not yet decided (read once per GET
    request: the manager's panel and action list share it)."""
    return request_memo(("scorecards.okrs_waiting", team_id), lambda: _read_okrs_waiting(team_id))


def _read_okrs_waiting(team_id: int) -> int:
    pending = db.session.scalar(
        db.select(func.count(OkrSet.id))
        .join(User, User.id == OkrSet.agent_id)
        .where(User.team_id == team_id, OkrSet.status == SUBMITTED)
    )
    return pending or 0


def _kpi_label(key: str) -> str:
    kpi = current_catalogue().get(key)
    return kpi.label if kpi else key


def template_helpers() -> dict:
    """Functions the scorecard and OKR templates call."""
    return {
        "okr_score_of": okrs.set_score,
        "okr_objective_score": okrs.objective_progress,
        "okr_kr_score": okrs.key_result_progress,
        "kpi_label": _kpi_label,
    }
