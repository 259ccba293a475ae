"""Certification pages: my level, a manager's review and decisions, certificates, endorsements."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.certification import certificates, overview, services
from trainer.certification.access import (
    get_decidable_certification_or_404,
    get_visible_certificate_or_404,
    get_withdrawable_endorsement_or_404,
)
from trainer.certification.forms import (
    ApproveForm,
    CheckNowForm,
    EndorseForm,
    GrantForm,
    ReasonForm,
)
from trainer.certification.ladder import current_ladder
from trainer.certification.models import Endorsement
from trainer.core.auth import ADMIN, AGENT, MANAGER, TRAINER, role_required, signed_in
from trainer.core.clock import utcnow
from trainer.core.forms import choices
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.scorecards.access import get_visible_agent_or_404, viewer_team
from trainer.scorecards.scorecard import all_teams, team_agents

bp = Blueprint("certification", __name__, url_prefix="/certification", template_folder="templates")


def _grant_form() -> GrantForm:
    form = GrantForm(prefix="grant")
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
    rows = overview.team_levels(team_agents(team.id), utcnow()) if team else []
    teams = all_teams() if current_user.role == ADMIN else []
    return render_template(
        "certification/review.html",
        team=team,
        rows=rows,
        teams=teams,
        approve_form=ApproveForm(),
        reason_form=ReasonForm(),
        check_form=CheckNowForm(),
        requirements_of=overview.proposal_requirements,
    )


@bp.post("/review/evaluate")
@role_required(MANAGER, ADMIN)
def evaluate_team():
    """Run the evaluation for the team now: notices, lapses and new proposals."""
    team = viewer_team(current_user, request.form.get("team", type=int))
    if team is not None:
        summary = services.sweep(team_agents(team.id), actor=current_user)
        db.session.commit()
        flash(
            _(
                "Evaluated %(n)d agents: %(p)d proposed, %(l)d lapsed, %(o)d notices.",
                n=summary.evaluated,
                p=summary.proposed,
                l=summary.lapsed,
                o=summary.notices,
            ),
            "success",
        )
    return redirect(url_for("certification.review", team=team.id if team else None))


def _decide(cert_id: int, action):
    cert = get_decidable_certification_or_404(cert_id, current_user)
    try:
        action(cert)
    except services.CertificationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _("Decision saved for %(name)s (%(level)s).", name=cert.user.name, level=cert.level),
            "success",
        )
    return redirect(
        request.form.get("next") == "agent"
        and url_for("certification.agent_level", agent_id=cert.user_id)
        or url_for("certification.review", team=cert.user.team_id)
    )


@bp.post("/proposals/<int:cert_id>/approve")
@role_required(MANAGER, ADMIN)
def approve(cert_id: int):
    """Approve a proposed promotion (with reason and override when requirements are missing)."""
    form = ApproveForm()
    return _decide(
        cert_id,
        lambda c: services.approve(
            c, current_user, reason=form.reason.data or "", override=bool(form.override.data)
        ),
    )


@bp.post("/proposals/<int:cert_id>/reject")
@role_required(MANAGER, ADMIN)
def reject(cert_id: int):
    """Reject a proposed promotion, saying why."""
    form = ReasonForm()
    return _decide(
        cert_id, lambda c: services.reject(c, current_user, reason=form.reason.data or "")
    )


@bp.post("/certifications/<int:cert_id>/revoke")
@role_required(MANAGER, ADMIN)
def revoke(cert_id: int):
    """Revoke a granted level, saying why."""
    form = ReasonForm()
    return _decide(
        cert_id, lambda c: services.revoke(c, current_user, reason=form.reason.data or "")
    )


@bp.post("/agents/<int:agent_id>/grant")
@role_required(MANAGER, ADMIN)
def grant(agent_id: int):
    """Grant a level directly as an override, with a reason."""
    agent = get_visible_agent_or_404(agent_id, current_user)
    form = _grant_form()
    if not form.validate_on_submit():
        flash(_("Choose a level and give a reason."), "error")
        return redirect(url_for("certification.agent_level", agent_id=agent.id))
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


@bp.get("/certificates/<int:certificate_id>")
@signed_in
def certificate(certificate_id: int):
    """A printable certificate (the holder, their manager, admins)."""
    cert = get_visible_certificate_or_404(certificate_id, current_user)
    return render_template(
        "certification/certificate.html",
        certificate=cert,
        verification=certificates.verify_code(cert.code),
    )


@bp.get("/certificates/<int:certificate_id>.pdf")
@signed_in
def certificate_pdf(certificate_id: int):
    """The certificate as a PDF."""
    cert = get_visible_certificate_or_404(certificate_id, current_user)
    verify_url = url_for("verify.verify", code=cert.code, _external=True)
    pdf = certificates.render_pdf(cert, certificate_texts(cert), verify_url)
    headers = {"Content-Disposition": f'attachment; filename="certificate-{cert.code}.pdf"'}
    return Response(pdf, mimetype="application/pdf", headers=headers)


def certificate_texts(cert) -> dict:
    """The certificate's wording in both languages (Chinese first: the audience reads Chinese)."""
    verification = certificates.verify_code(cert.code)
    names = cert.level_name or {}
    valid = (
        verification.valid_until.date().isoformat()
        if verification and verification.valid_until
        else None
    )
    dates = [f"颁发日期 Issued: {cert.issued_at.date().isoformat()}"]
    if valid:
        dates.append(f"有效期至 Valid until: {valid}")
    return {
        "title": "认证证书 · Certificate",
        "intro": "兹证明 This certifies that",
        "achieved": "已达到以下认证等级 has achieved the certification level",
        "level": f"{cert.level} {names.get('zh_CN', '')} · {names.get('en', '')}",
        "dates": dates,
        "verify": "验证码 Verification code:",
    }


@bp.get("/endorsements")
@role_required(TRAINER, ADMIN)
def endorsements():
    """Agents a trainer may endorse for levels that need it, and the endorsements given."""
    form = _endorse_form()
    given = db.session.scalars(
        db.select(Endorsement)
        .options(db.selectinload(Endorsement.user), db.selectinload(Endorsement.trainer))
        .order_by(Endorsement.created_at.desc())
        .limit(200)
    )
    return render_template("certification/endorsements.html", form=form, given=list(given))


def _endorse_form() -> EndorseForm:
    from trainer.accounts.models import User

    form = EndorseForm()
    agents = db.session.scalars(
        db.select(User).where(User.role == AGENT, User.active).order_by(User.name)
    )
    form.agent_id.choices = choices((a.id, f"{a.name} <{a.email}>") for a in agents)
    form.level.choices = choices(
        (lv.code, lv.label) for lv in current_ladder().levels if lv.endorsement
    )
    return form


@bp.post("/endorsements")
@role_required(TRAINER, ADMIN)
def endorse():
    """Endorse an agent for a level."""
    form = _endorse_form()
    if not form.validate_on_submit():
        flash(_("Choose an agent and a level, and say why."), "error")
        return redirect(url_for("certification.endorsements"))
    from trainer.accounts.models import User

    try:
        services.endorse(
            db.session.get(User, form.agent_id.data),
            form.level.data,
            current_user,
            form.comment.data,
        )
    except services.CertificationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Endorsement saved."), "success")
    return redirect(url_for("certification.endorsements"))


@bp.post("/endorsements/<int:endorsement_id>/withdraw")
@role_required(TRAINER, ADMIN)
def withdraw(endorsement_id: int):
    """Withdraw an endorsement."""
    endorsement = get_withdrawable_endorsement_or_404(endorsement_id, current_user)
    services.withdraw_endorsement(endorsement, current_user)
    db.session.commit()
    flash(_("Endorsement withdrawn."), "success")
    return redirect(url_for("certification.endorsements"))
