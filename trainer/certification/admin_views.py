"""Admins edit the certification ladder: in a form, or as YAML validated with line numbers."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.accounts.models import User
from trainer.certification import ladder as ladders
from trainer.certification import levels_builder
from trainer.certification.checkconfig import unknown_slugs
from trainer.certification.level_forms import attach_problems as attach_level_problems
from trainer.certification.level_forms import level_form_class
from trainer.core.auth import ADMIN, AGENT, role_required
from trainer.core.config_views import EditableConfig, edit_config_page, reset_config
from trainer.core.i18n import _
from trainer.core.problems import ProblemsError
from trainer.courses.achievements import course_titles
from trainer.extensions import db
from trainer.quizzes.achievements import quiz_titles
from trainer.scorecards.catalogue import current_catalogue

bp = Blueprint(
    "cert_admin", __name__, url_prefix="/admin/certification", template_folder="templates"
)

LEVELS = EditableConfig(ladders.SOURCE, edit_endpoint="cert_admin.edit_levels")


def _ladder_context() -> dict:
    """The ladder in force and the slugs it names that no content file defines."""
    ladder = ladders.current_ladder()
    courses = course_titles(sorted({s for level in ladder.levels for s in level.courses}))
    quizzes = quiz_titles({s for level in ladder.levels for s in level.quizzes})
    return {
        "ladder": ladder,
        "unknown": unknown_slugs(ladder),
        "course_titles": courses,
        "quiz_titles": quizzes,
    }


@bp.route("/levels", methods=["GET", "POST"])
@role_required(ADMIN)
def edit_levels():
    """Edit levels, requirements, multipliers and the auto-grant setting."""
    return edit_config_page(
        LEVELS,
        template="certification/levels.html",
        saved_message=_("Certification levels saved; evaluations use them from now on."),
        context=_ladder_context,
    )


@bp.post("/levels/reset")
@role_required(ADMIN)
def reset_levels():
    """Go back to the shipped levels.yaml."""
    return reset_config(LEVELS, reset_message=_("The shipped certification levels apply again."))


def _level_form(values: dict | None = None):
    """The level form for the KPIs, courses and quizzes that exist now (posted data if None)."""
    catalogue = current_catalogue()
    document = levels_builder.document_in_force()
    agents = db.session.scalars(
        db.select(User).where(User.role == AGENT, User.active).order_by(User.name)
    ).all()
    codes = [level.get("code", "") for level in (values or document).get("levels") or []]
    form_class = level_form_class(catalogue, levels_builder.options_for(document), agents, codes)
    if values is None and request.method == "GET":
        kpi_keys = [k.key for k in catalogue.agent_kpis]
        values = levels_builder.form_values(document, kpi_keys)
    return form_class(formdata=None, data=values) if values is not None else form_class()


def _render_level_form(form, general=(), preview=None):
    return render_template(
        "certification/levels_form.html",
        form=form,
        general=list(general),
        preview=preview,
        catalogue=current_catalogue(),
        list_requirements=levels_builder.LIST_REQUIREMENTS,
    )


@bp.route("/levels/form", methods=["GET", "POST"])
@role_required(ADMIN)
def levels_form():
    """Edit the levels in a form: requirements picked from lists, a draft preview, save."""
    form = _level_form()
    if request.method == "GET" or not form.validate_on_submit():
        return _render_level_form(form)
    op = form.op.data or "save"
    if op == "add" or op.startswith("remove:"):
        return _render_level_form(_level_form(levels_builder.apply_level_op(form.data, op)))
    if op == "preview":
        return _preview_draft(form)
    return _save_levels(form)


def _problems_page(form, error):
    """The form again with each problem beside its field; nothing was stored."""
    db.session.rollback()
    found = error.problems
    if isinstance(found, list):  # a ProblemsError from a dependent document
        found = {levels_builder.GENERAL: [p.message for p in found]}
    flash(_("The levels have problems; see the marked fields."), "error")
    return _render_level_form(form, attach_level_problems(form, found))


def _preview_draft(form):
    """Evaluate the chosen agent against a level of the posted draft, saving nothing."""
    agent = db.session.get(User, int(form.preview_agent.data or 0))
    if agent is None or agent.role != AGENT:
        flash(_("Choose an agent to evaluate."), "error")
        return _render_level_form(form)
    try:
        level, requirements = levels_builder.preview_level(
            form.data, current_catalogue(), agent, form.preview_level.data
        )
    except levels_builder.LadderProblems as error:
        return _problems_page(form, error)
    preview = {"agent": agent, "level": level, "requirements": requirements}
    return _render_level_form(form, preview=preview)


def _save_levels(form):
    """Store the posted ladder as the one in force, or show why not."""
    try:
        levels_builder.save_from_values(form.data, current_catalogue(), actor=current_user)
    except (levels_builder.LadderProblems, ProblemsError) as error:
        return _problems_page(form, error)
    db.session.commit()
    flash(_("Certification levels saved; evaluations use them from now on."), "success")
    return redirect(url_for("cert_admin.levels_form"))
