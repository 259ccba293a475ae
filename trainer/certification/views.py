"""Certification pages: an agent's level, the manager's review, and the decisions taken there."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.certification import overview, services
from trainer.certification.access import get_decidable_certification_or_404
from trainer.certification.forms import ApproveForm, CheckNowForm, GrantForm, ReasonForm
from trainer.certification.ladder import current_ladder
from trainer.certification.review import review_proposals
from trainer.core.auth import ADMIN, AGENT, MANAGER, role_required
from trainer.core.clock import utcnow
from trainer.core.forms import choices
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.scorecards.access import get_visible_agent_or_404, viewer_team
from trainer.scorecards.teamcard import all_teams, team_agents

bp = Blueprint("certification", __name__, url_prefix="/certification", template_folder="templates")


def _grant_form() -> GrantForm:
    # The app-wide CSRFProtect checks the page's plain `csrf_token` field; a prefixed form field
    # ("grant-csrf_token") would work too but reads to scanners as a form without a token.
    form = GrantForm(prefix="grant", meta={"csrf": False})
    form.level.choices = choices((lv.code, lv.label) for lv in current_ladder().levels[1:])
    return form


def _level_page(agent, own: bool):
    standing, certs = overview.agent_level(agent, utcnow())
    forms = {"check": CheckNowForm(), "grant": _grant_form()}
    return render_template(
        "certification/agent.html", standing=standing, certs=certs, own=own, forms=forms
    )


@bp.get("/")
@role_required(AGENT)
def my_level():
    """The agent's level, what the next level needs with links, notices and certificates."""
    return _level_page(current_user._get_current_object(), own=True)


@bp.post("/check")
@role_required(AGENT)
def check_now():
    """Check the agent's own level now (proposes the next level when everything is met)."""
    summary = services.sweep([current_user._get_current_object()])
    db.session.commit()
    if summary.proposed:
        flash(_("All requirements are met: your promotion is proposed to your manager."), "success")
    else:
        flash(_("Your level is up to date."), "info")
    return redirect(url_for("certification.my_level"))


@bp.get("/agents/<int:agent_id>")
@role_required(MANAGER, ADMIN)
def agent_level(agent_id: int):
    """One agent's level page, for their manager or an admin."""
    return _level_page(get_visible_agent_or_404(agent_id, current_user), own=False)


@bp.get("/review")
@role_required(MANAGER, ADMIN)
def review():
    """Proposals to decide, lapse notices, and every agent's standing in the team."""
    team = viewer_team(current_user, request.args.get("team", type=int))
    now = utcnow()
    rows = overview.team_levels(team_agents(team.id), now) if team else []
    reviews = review_proposals([c for row in rows for c in row.proposals], now)
    return render_template(
        "certification/review.html",
        team=team,
        rows=rows,
        reviews=reviews,
        teams=all_teams() if current_user.role == ADMIN else [],
    )


@bp.post("/review/evaluate")
@role_required(MANAGER, ADMIN)
def evaluate_team():
    """Run the evaluation for the team now: notices, lapses and new proposals."""
    team = viewer_team(current_user, request.form.get("team", type=int))
    if team is None:
        return redirect(url_for("certification.review"))
    s = services.sweep(team_agents(team.id), actor=current_user)
    db.session.commit()
    message = _(
        "Evaluated %(n)d agents: %(p)d proposed, %(l)d lapsed, %(o)d notices.",
        n=s.evaluated,
        p=s.proposed,
        l=s.lapsed,
        o=s.notices,
    )
    flash(message, "success")
    return redirect(url_for("certification.review", team=team.id))


def _decide(cert_id: int, decide):
    """Load a certification the viewer may decide on, apply `decide`, commit or explain."""
    cert = get_decidable_certification_or_404(cert_id, current_user)
    try:
        decide(cert)
    except services.CertificationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        message = _(
            "Decision saved for %(name)s (%(level)s).", name=cert.user.name, level=cert.level
        )
        flash(message, "success")
    if request.form.get("next") == "agent":
        return redirect(url_for("certification.agent_level", agent_id=cert.user_id))
    return redirect(url_for("certification.review", team=cert.user.team_id))


@bp.post("/proposals/<int:cert_id>/approve")
@role_required(MANAGER, ADMIN)
def approve(cert_id: int):
    """Approve a proposed promotion (an override with a reason when requirements are missing)."""
    form = ApproveForm()
    reason, override = form.reason.data or "", bool(form.override.data)
    return _decide(
        cert_id, lambda c: services.approve(c, current_user, reason=reason, override=override)
    )


@bp.post("/proposals/<int:cert_id>/reject")
@role_required(MANAGER, ADMIN)
def reject(cert_id: int):
    """Reject a proposed promotion, saying why."""
    reason = ReasonForm().reason.data or ""
    return _decide(cert_id, lambda c: services.reject(c, current_user, reason=reason))


@bp.post("/certifications/<int:cert_id>/revoke")
@role_required(MANAGER, ADMIN)
def revoke(cert_id: int):
    """Revoke a granted level, saying why."""
    reason = ReasonForm().reason.data or ""
    return _decide(cert_id, lambda c: services.revoke(c, current_user, reason=reason))


@bp.post("/agents/<int:agent_id>/grant")
@role_required(MANAGER, ADMIN)
def grant(agent_id: int):
    """Grant a level directly as an override, with a reason."""
    agent = get_visible_agent_or_404(agent_id, current_user)
    form = _grant_form()
    if not form.validate_on_submit():
        flash(_("Choose a level and give a reason."), "error")
    else:
        try:
            services.grant_override(agent, form.level.data, current_user, reason=form.reason.data)
        except services.CertificationError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                _("Level %(level)s granted to %(name)s.", level=form.level.data, name=agent.name),
                "success",
            )
    return redirect(url_for("certification.agent_level", agent_id=agent.id))
