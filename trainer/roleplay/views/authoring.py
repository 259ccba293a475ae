"""Trainers author scenarios: list, form editor, YAML import/export, clone, publish, try it."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.core.auth import ADMIN, TRAINER, role_required
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.roleplay import builder, catalog, sessions, stats
from trainer.roleplay.builder import FormProblems
from trainer.roleplay.builder_forms import ScenarioBuilderForm, attach_problems
from trainer.roleplay.forms import CloneForm, ImportForm, ScenarioYamlForm
from trainer.roleplay.models import Scenario
from trainer.roleplay.scenarios import ScenarioError, parse_scenario

bp = Blueprint(
    "roleplay_authoring", __name__, url_prefix="/roleplay/manage", template_folder="../templates"
)
MAX_IMPORT_BYTES = 200_000
SUBMIT_OPS = ("", "save", "try")  # the builder's other buttons edit rows


def get_scenario_or_404(slug: str) -> Scenario:
    """Any scenario (published or not) by slug."""
    scenario = catalog.get_scenario(slug)
    if scenario is None or scenario.current_version is None:
        abort(404)
    return scenario


def _render_builder(form: ScenarioBuilderForm, scenario: Scenario | None, general=()):
    return render_template(
        "roleplay/manage/builder.html",
        form=form,
        scenario=scenario,
        general=list(general),
        fact_ids=[row.form.id.data for row in form.hidden_facts if row.form.id.data],
        item_ids=[row.form.id.data for row in form.rubric_items if row.form.id.data],
    )


@bp.get("/")
@role_required(TRAINER, ADMIN)
def scenarios():
    """Every scenario with status, version and practice figures."""
    rows = db.session.scalars(
        db.select(Scenario)
        .options(db.joinedload(Scenario.current_version))
        .order_by(Scenario.category, Scenario.difficulty, Scenario.slug)
    ).all()
    figures = stats.scenario_figures([s.id for s in rows])
    return render_template(
        "roleplay/manage/list.html", scenarios=rows, figures=figures, import_form=ImportForm()
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(TRAINER, ADMIN)
def create():
    """Build a new scenario in the form (saved unpublished, as a draft)."""
    if request.method == "GET":
        form = ScenarioBuilderForm(formdata=None, data=builder.starter_data())
        return _render_builder(form, None)
    form = ScenarioBuilderForm()
    if form.validate_on_submit() and _op(form) in SUBMIT_OPS:
        if not form.slug.data:
            form.slug.errors = [_("A new scenario needs a slug.")]
        elif catalog.get_scenario(form.slug.data) is not None:
            form.slug.errors = [_("A scenario with this slug exists.")]
        else:
            return _save(form, form.slug.data, None)
    return _rework(form, None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@role_required(TRAINER, ADMIN)
def edit(slug: str):
    """Edit a scenario in the builder; saving a change makes a new version."""
    scenario = get_scenario_or_404(slug)
    if request.method == "GET":
        draft = catalog.get_draft(scenario, request.args.get("draft", type=int))
        data = builder.builder_data((draft or scenario.current_version).spec)
        return _render_builder(ScenarioBuilderForm(formdata=None, data=data), scenario)
    form = ScenarioBuilderForm()
    if form.validate_on_submit() and _op(form) in SUBMIT_OPS:
        return _save(form, scenario.slug, scenario)
    return _rework(form, scenario)


def _op(form: ScenarioBuilderForm) -> str:
    return form.op.data or ""


def _rework(form: ScenarioBuilderForm, scenario: Scenario | None):
    """A row button (add, remove, move) or a form error: show the form again, nothing saved."""
    if _op(form) not in SUBMIT_OPS and "csrf_token" not in form.errors:
        data = builder.apply_row_op(form.data, _op(form))
        form = ScenarioBuilderForm(formdata=None, data=data)
    return _render_builder(form, scenario)


def _save(form: ScenarioBuilderForm, slug: str, scenario: Scenario | None):
    try:
        spec = builder.spec_from_builder(form.data, slug)
    except FormProblems as problems:
        general = attach_problems(form, problems.problems)
        flash(_("The scenario has problems; see the marked fields."), "error")
        return _render_builder(form, scenario, general)
    if _op(form) == "try" and scenario is not None and scenario.published:
        return _try_draft(scenario, spec)
    saved, version = catalog.save_version(
        spec,
        None,
        source=catalog.EDITOR,
        actor=current_user,
        scenario=scenario,
        publish=False if scenario is None else None,
    )
    if _op(form) == "try":
        session = sessions.start_session(current_user, saved, trial=True)
        db.session.commit()
        return redirect(url_for("roleplay.chat", session_id=session.id))
    db.session.commit()
    if version is None:
        flash(_("No changes to save."), "info")
    else:
        flash(_("Saved as version %(n)d.", n=version.number), "success")
    return redirect(url_for("roleplay_authoring.detail", slug=saved.slug))


def _try_draft(scenario: Scenario, spec: dict):
    """A published scenario is tried as a draft: agents keep playing the current version."""
    draft = catalog.save_draft(scenario, spec, actor=current_user)
    session = sessions.start_session(current_user, scenario, trial=True, version=draft)
    db.session.commit()
    flash(
        _(
            "You are trying a draft; agents still play version %(n)d until you save.",
            n=scenario.current_version.number,
        ),
        "info",
    )
    return redirect(url_for("roleplay.chat", session_id=session.id))


@bp.route("/<slug>/yaml", methods=["GET", "POST"])
@role_required(TRAINER, ADMIN)
def edit_yaml(slug: str):
    """Power users: edit the whole scenario as YAML; problems come with their line numbers."""
    scenario = get_scenario_or_404(slug)
    form = ScenarioYamlForm(content=scenario.current_version.yaml_text)
    problems = []
    if form.validate_on_submit():
        try:
            spec = parse_scenario(form.content.data.replace("\r\n", "\n"), expected_slug=slug)
        except ScenarioError as error:
            problems = error.problems
        else:
            _saved, version = catalog.save_version(
                spec,
                form.content.data,
                source=catalog.EDITOR,
                actor=current_user,
                scenario=scenario,
            )
            db.session.commit()
            if version is None:
                flash(_("No changes to save."), "info")
            else:
                flash(_("Saved as version %(n)d.", n=version.number), "success")
            return redirect(url_for("roleplay_authoring.detail", slug=slug))
    status = 400 if problems else 200
    return render_template(
        "roleplay/manage/yaml.html", form=form, scenario=scenario, problems=problems
    ), status


@bp.get("/<slug>")
@role_required(TRAINER, ADMIN)
def detail(slug: str):
    """A scenario's versions, figures and actions."""
    scenario = get_scenario_or_404(slug)
    return render_template(
        "roleplay/manage/detail.html",
        scenario=scenario,
        spec=scenario.current_version.spec,
        versions=stats.versions_with_authors(scenario),
        figures=stats.scenario_figures([scenario.id]).get(scenario.id),
        clone_form=CloneForm(new_slug=f"{scenario.slug}-copy"),
    )


@bp.post("/import")
@role_required(TRAINER, ADMIN)
def import_yaml():
    """Import a YAML file (a new scenario, or a new version of an existing one)."""
    form = ImportForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.file.data
    raw = upload.read(MAX_IMPORT_BYTES + 1) if upload else (form.text.data or "").encode()
    if not raw.strip():
        flash(_("Choose a YAML file or paste the scenario."), "error")
        return redirect(url_for("roleplay_authoring.scenarios"))
    if len(raw) > MAX_IMPORT_BYTES:
        flash(_("The file is too large (at most 200 KB)."), "error")
        return redirect(url_for("roleplay_authoring.scenarios"))
    try:
        scenario, changed = catalog.import_yaml(raw.decode("utf-8"), actor=current_user)
    except UnicodeDecodeError:
        flash(_("The file is not UTF-8 text."), "error")
        return redirect(url_for("roleplay_authoring.scenarios"))
    except ScenarioError as error:
        db.session.rollback()
        return render_template("roleplay/manage/import_problems.html", problems=error.problems), 400
    db.session.commit()
    flash(_("Imported.") if changed else _("Nothing changed: that version exists."), "success")
    return redirect(url_for("roleplay_authoring.detail", slug=scenario.slug))


@bp.get("/<slug>/export.yaml")
@role_required(TRAINER, ADMIN)
def export_yaml(slug: str):
    """Download the current version (or ?version=N) as YAML."""
    scenario = get_scenario_or_404(slug)
    number = request.args.get("version", type=int)
    version = catalog.version_of(scenario, number) if number else scenario.current_version
    if version is None:
        abort(404)
    filename = f"{scenario.slug}.yaml" if not number else f"{scenario.slug}-v{number}.yaml"
    return Response(
        version.yaml_text,
        mimetype="application/x-yaml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.post("/<slug>/clone")
@role_required(TRAINER, ADMIN)
def clone(slug: str):
    """Copy a scenario under a new slug (unpublished) and open it in the editor."""
    scenario = get_scenario_or_404(slug)
    form = CloneForm()
    if not form.validate_on_submit():
        flash(" ".join(form.new_slug.errors) or _("Give the copy a slug."), "error")
        return redirect(url_for("roleplay_authoring.detail", slug=slug))
    try:
        copy = catalog.clone_scenario(scenario, form.new_slug.data, actor=current_user)
    except ScenarioError as error:
        db.session.rollback()
        flash(" ".join(p.message for p in error.problems), "error")
        return redirect(url_for("roleplay_authoring.detail", slug=slug))
    db.session.commit()
    flash(_("Copied. The copy is unpublished until you publish it."), "success")
    return redirect(url_for("roleplay_authoring.edit", slug=copy.slug))


@bp.post("/<slug>/publish")
@role_required(TRAINER, ADMIN)
def publish(slug: str):
    """Make the scenario visible to agents."""
    catalog.set_published(get_scenario_or_404(slug), True, actor=current_user)
    db.session.commit()
    flash(_("Published."), "success")
    return redirect(url_for("roleplay_authoring.detail", slug=slug))


@bp.post("/<slug>/unpublish")
@role_required(TRAINER, ADMIN)
def unpublish(slug: str):
    """Hide the scenario from agents; past sessions keep their version and results."""
    catalog.set_published(get_scenario_or_404(slug), False, actor=current_user)
    db.session.commit()
    flash(_("Unpublished."), "success")
    return redirect(url_for("roleplay_authoring.detail", slug=slug))


@bp.post("/<slug>/try")
@role_required(TRAINER, ADMIN)
def try_it(slug: str):
    """Chat with the current version as an agent would; the run is a trial and never counts."""
    scenario = get_scenario_or_404(slug)
    session = sessions.start_session(current_user, scenario, trial=True)
    db.session.commit()
    return redirect(url_for("roleplay.chat", session_id=session.id))
