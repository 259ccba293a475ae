"""KPI data administration: CSV upload, integration tokens, the KPI catalogue editor."""

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from trainer.config import ROOT
from trainer.core.auth import ADMIN, MANAGER, role_required
from trainer.core.config_views import EditableConfig, edit_config_page, reset_config
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.scorecards import catalogue, catalogue_builder, kpi_import_job, records, tokens
from trainer.scorecards.catalogue_forms import CatalogueForm
from trainer.scorecards.catalogue_forms import attach_problems as attach_catalogue_problems
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


@bp.route("/catalogue/form", methods=["GET", "POST"])
@role_required(ADMIN)
def catalogue_form():
    """Edit the KPI catalogue in a form: add, edit or retire KPIs; saving replaces the one in
    force (the same document the YAML editor saves)."""
    if request.method == "GET":
        values = catalogue_builder.form_values(catalogue_builder.document_in_force())
        return _render_catalogue_form(CatalogueForm(formdata=None, data=values))
    form = CatalogueForm()
    op = form.op.data or "save"
    if not form.validate_on_submit():
        return _render_catalogue_form(form)
    if op != "save":
        values = catalogue_builder.apply_row_op(form.data, op)
        return _render_catalogue_form(CatalogueForm(formdata=None, data=values))
    try:
        catalogue_builder.save_from_values(form.data, actor=current_user)
    except catalogue_builder.CatalogueProblems as problems:
        db.session.rollback()
        general = attach_catalogue_problems(form, problems.problems)
        flash(_("The catalogue has problems; see the marked fields."), "error")
        return _render_catalogue_form(form, general)
    db.session.commit()
    flash(_("KPI catalogue saved; scorecards use it from now on."), "success")
    return redirect(url_for("kpi_admin.catalogue_form"))


def _render_catalogue_form(form: CatalogueForm, general=()):
    return render_template(
        "scorecards/catalogue_form.html",
        form=form,
        general=list(general),
        addable=catalogue_builder.unused_keys(form.data),
        scopes={key: scope for key, (scope, _column) in catalogue.KNOWN_KPIS.items()},
        shipped_names={k.key: k.label for k in catalogue.shipped_catalogue().kpis},
    )
