"""KPI data administration: CSV upload, integration tokens, the KPI catalogue editor."""

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from trainer.config import ROOT
from trainer.core.auth import ADMIN, MANAGER, role_required
from trainer.core.config_views import EditableConfig, edit_config_page, reset_config
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.scorecards import catalogue, kpi_import_job, records, tokens
from trainer.scorecards.forms import KpiUploadForm, TokenForm
from trainer.scorecards.models import ApiToken

bp = Blueprint("kpi_admin", __name__, url_prefix="/admin/kpi", template_folder="templates")

SAMPLES = {"agents": "kpi-records-sample.csv", "teams": "team-kpi-sample.csv"}

KPI_CATALOGUE = EditableConfig(catalogue.SOURCE, edit_endpoint="kpi_admin.edit_catalogue")


@bp.route("/import", methods=["GET", "POST"])
@role_required(MANAGER, ADMIN)
def upload():
    """Upload a helpdesk CSV of daily KPI records (managers: their own team's agents only)."""
    form = KpiUploadForm()
    rejected = result = None
    if form.validate_on_submit():
        team_id = current_user.team_id if current_user.role == MANAGER else None
        if current_user.role == MANAGER and team_id is None:
            flash(_("You do not lead a team, so there is nobody to import figures for."), "error")
            return render_template("scorecards/upload.html", form=form)
        label = form.file.data.filename or ""
        try:
            text, agents, teams = kpi_import_job.check(form.file.data.read(), team_id)
            if kpi_import_job.is_large(agents, teams):
                rows = len(agents) + len(teams)
                run = kpi_import_job.queue(text, rows, current_user, team_id, label)
                db.session.commit()
                return redirect(url_for("imports.progress", run_id=run.id))
            result = records.import_batch_checked(
                agents, teams, actor=current_user, source="csv", label=label
            )
        except records.ImportRejected as error:
            db.session.rollback()
            rejected = error
        else:
            db.session.commit()
    return render_template("scorecards/upload.html", form=form, rejected=rejected, result=result)


@bp.get("/samples/<kind>.csv")
@role_required(MANAGER, ADMIN)
def sample(kind: str):
    """Download a sample CSV file with the documented columns."""
    if kind not in SAMPLES:
        return redirect(url_for("kpi_admin.upload"))
    path = ROOT / "docs" / "samples" / SAMPLES[kind]
    return send_file(path, mimetype="text/csv", as_attachment=True, download_name=SAMPLES[kind])


@bp.route("/tokens", methods=["GET", "POST"])
@role_required(ADMIN)
def token_list():
    """Integration tokens: create one (shown once) or see the existing ones."""
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        try:
            _token, secret = tokens.create_token(form.name.data, actor=current_user)
        except tokens.TokenError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            form = TokenForm(formdata=None)
    return render_template(
        "scorecards/tokens.html", form=form, tokens=tokens.list_tokens(), secret=secret
    )


@bp.post("/tokens/<int:token_id>/revoke")
@role_required(ADMIN)
def revoke_token(token_id: int):
    """Revoke an integration token; calls with it are refused from now on."""
    token = db.get_or_404(ApiToken, token_id)
    tokens.revoke_token(token, actor=current_user)
    db.session.commit()
    flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("kpi_admin.token_list"))


@bp.route("/catalogue", methods=["GET", "POST"])
@role_required(ADMIN)
def edit_catalogue():
    """Edit the KPI catalogue and incentive formula (YAML, validated with line numbers)."""
    return edit_config_page(
        KPI_CATALOGUE,
        template="scorecards/catalogue.html",
        saved_message=_("KPI catalogue saved; scorecards use it from now on."),
        context=lambda: {"catalogue": catalogue.current_catalogue()},
    )


@bp.post("/catalogue/reset")
@role_required(ADMIN)
def reset_catalogue():
    """Go back to the shipped KPI catalogue."""
    return reset_config(KPI_CATALOGUE, reset_message=_("The shipped KPI catalogue applies again."))
