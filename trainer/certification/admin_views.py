"""Admins edit the certification ladder (YAML, validated with line numbers)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from trainer.certification import ladder as ladders
from trainer.certification.checkconfig import unknown_slugs
from trainer.core.auth import ADMIN, role_required
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.scorecards import yamlconfig
from trainer.scorecards.forms import ConfigForm

bp = Blueprint(
    "cert_admin", __name__, url_prefix="/admin/certification", template_folder="templates"
)


@bp.route("/levels", methods=["GET", "POST"])
@role_required(ADMIN)
def edit_levels():
    """Edit levels, requirements, multipliers and the auto-grant setting."""
    text, override = yamlconfig.effective_text(ladders.CONFIG_NAME, ladders.SHIPPED)
    form = ConfigForm(content=text)
    problems = []
    if form.validate_on_submit():
        try:
            yamlconfig.save_override(
                ladders.CONFIG_NAME,
                form.content.data,
                validate=ladders.parse_ladder,
                actor=current_user,
            )
        except yamlconfig.ConfigError as error:
            db.session.rollback()
            problems = error.problems
        else:
            db.session.commit()
            ladders.forget_cached_ladder()
            flash(_("Certification levels saved; evaluations use them from now on."), "success")
            return redirect(url_for("cert_admin.edit_levels"))
    ladder = ladders.current_ladder()
    return render_template(
        "certification/levels.html",
        form=form,
        problems=problems,
        override=override,
        ladder=ladder,
        unknown=unknown_slugs(ladder),
    )


@bp.post("/levels/reset")
@role_required(ADMIN)
def reset_levels():
    """Go back to the shipped levels.yaml."""
    if yamlconfig.reset_override(ladders.CONFIG_NAME, actor=current_user):
        db.session.commit()
        ladders.forget_cached_ladder()
        flash(_("The shipped certification levels apply again."), "success")
    return redirect(url_for("cert_admin.edit_levels"))
