"""Home page panels: an agent's month so far, a manager's team at a glance."""

from sqlalchemy import func

from trainer.accounts.models import User
from trainer.core.clock import today
from trainer.extensions import db
from trainer.scorecards import aggregates, okrs
from trainer.scorecards.catalogue import current_catalogue
from trainer.scorecards.okr_models import APPROVED, SUBMITTED, OkrSet
from trainer.scorecards.periods import period_containing
from trainer.scorecards.scoring import MET, MISSED, composite_score, kpi_status


def agent_panel(user: User) -> dict:
    """This month's composite and KPI statuses, and this quarter's OKR state."""
    catalogue = current_catalogue()
    period = period_containing("month", today())
    summary = aggregates.summaries_for_agents([user.id], period.start, period.end).get(user.id)
    values = summary.values if summary else {}
    statuses = [kpi_status(k, values.get(k.key)) for k in catalogue.agent_kpis]
    okr_set = okrs.get_set(user.id, period.quarter)
    return {
        "period": period,
        "composite": composite_score(catalogue.agent_kpis, values).score,
        "met": statuses.count(MET),
        "missed": statuses.count(MISSED),
        "total": len(statuses),
        "conversations": summary.conversations if summary else 0,
        "okr_set": okr_set,
        "okr_score": okrs.set_score(okr_set) if okr_set and okr_set.status == APPROVED else None,
    }


def manager_panel(user: User) -> dict:
    """The team's pooled month so far, agents missing a KPI, OKRs waiting for approval."""
    if user.team_id is None:
        return {"team": None}
    catalogue = current_catalogue()
    period = period_containing("month", today())
    members = aggregates.summaries_for_team(user.team_id, period.start, period.end)
    pooled = aggregates.team_member_totals(user.team_id, period.start, period.end)
    missing = sum(
        1
        for s in members.values()
        if any(kpi_status(k, s.values.get(k.key)) == MISSED for k in catalogue.agent_kpis)
    )
    pending = db.session.scalar(
        db.select(func.count(OkrSet.id))
        .join(User, User.id == OkrSet.agent_id)
        .where(User.team_id == user.team_id, OkrSet.status == SUBMITTED)
    )
    return {
        "team": user.team,
        "period": period,
        "composite": composite_score(catalogue.agent_kpis, pooled.values if pooled else {}).score,
        "agents_with_data": len(members),
        "agents_missing": missing,
        "pending_okrs": pending or 0,
    }


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
