"""Trainers endorse agents for levels that need it (the top level), and withdraw endorsements."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from trainer.accounts.models import User
from trainer.certification import services
from trainer.certification.access import get_withdrawable_endorsement_or_404
from trainer.certification.forms import EndorseForm
from trainer.certification.ladder import current_ladder
from trainer.certification.models import Endorsement
from trainer.core.auth import ADMIN, AGENT, TRAINER, role_required
from trainer.core.forms import choices
from trainer.core.i18n import _
from trainer.extensions import db

bp = Blueprint(
    "endorsements", __name__, url_prefix="/certification/endorsements", template_folder="templates"
)


def _form() -> EndorseForm:
    form = EndorseForm()
    agents = db.session.scalars(
        db.select(User).where(User.role == AGENT, User.active).order_by(User.name)
    )
    form.agent_id.choices = choices((a.id, f"{a.name} <{a.email}>") for a in agents)
    form.level.choices = choices(
        (lv.code, lv.label) for lv in current_ladder().levels if lv.endorsement
    )
    return form


def _given() -> list[Endorsement]:
    query = (
        db.select(Endorsement)
        .options(db.selectinload(Endorsement.user), db.selectinload(Endorsement.trainer))
        .order_by(Endorsement.created_at.desc())
        .limit(200)
    )
    return list(db.session.scalars(query))


@bp.get("/")
@role_required(TRAINER, ADMIN)
def index():
    """The endorsement form and the endorsements given so far."""
    return render_template("certification/endorsements.html", form=_form(), given=_given())


@bp.post("/")
@role_required(TRAINER, ADMIN)
def endorse():
    """Endorse an agent for a level."""
    form = _form()
    if not form.validate_on_submit():
        flash(_("Choose an agent and a level, and say why."), "error")
        return redirect(url_for("endorsements.index"))
    try:
        agent = db.session.get(User, form.agent_id.data)
        services.endorse(agent, form.level.data, current_user, form.comment.data)
    except services.CertificationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Endorsement saved."), "success")
    return redirect(url_for("endorsements.index"))


@bp.post("/<int:endorsement_id>/withdraw")
@role_required(TRAINER, ADMIN)
def withdraw(endorsement_id: int):
    """Withdraw an endorsement one gave (admins: any)."""
    endorsement = get_withdrawable_endorsement_or_404(endorsement_id, current_user)
    services.withdraw_endorsement(endorsement, current_user)
    db.session.commit()
    flash(_("Endorsement withdrawn."), "success")
    return redirect(url_for("endorsements.index"))
