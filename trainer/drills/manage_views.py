"""Trainers create and edit drills (YAML, the file format) with line-numbered problems."""

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.core.auth import role_required
from trainer.core.i18n import _
from trainer.core.problems import ProblemsError
from trainer.drills import authoring, catalog
from trainer.drills.forms import DrillForm
from trainer.drills.lookups import get_drill_or_404
from trainer.extensions import db

bp = Blueprint("drills_manage", __name__, url_prefix="/drills/manage", template_folder="templates")
AUTHORS = ("trainer", "admin")


@bp.get("/")
@role_required(*AUTHORS)
def drills():
    """Every drill with its version, and a link to write a new one."""
    return render_template("drills/manage/list.html", drills=catalog.all_drills())


def _edit_page(form, drill=None, problems=(), status=200):
    return render_template(
        "drills/manage/edit.html", form=form, drill=drill, problems=list(problems)
    ), status


@bp.get("/new")
@role_required(*AUTHORS)
def new():
    """A new drill, starting from a small example."""
    return _edit_page(DrillForm(data={"yaml_text": authoring.TEMPLATE}))


@bp.get("/<slug>/edit")
@role_required(*AUTHORS)
def edit(slug: str):
    """Edit a drill's current version."""
    drill = get_drill_or_404(slug)
    return _edit_page(DrillForm(data={"yaml_text": drill.current_version.yaml_text}), drill)


@bp.post("/new")
@bp.post("/<slug>/edit")
@role_required(*AUTHORS)
def save(slug: str | None = None):
    """Check and store the drill as a new version; problems are listed by line."""
    drill = get_drill_or_404(slug) if slug else None
    form = DrillForm()
    if not form.validate_on_submit():
        return _edit_page(form, drill, status=400)
    try:
        saved, version = authoring.save_drill_text(form.yaml_text.data, current_user, slug)
    except ProblemsError as error:
        db.session.rollback()
        return _edit_page(form, drill, error.problems, 400)
    db.session.commit()
    flash(_("Drill saved.") if version else _("Nothing changed."), "success")
    return redirect(url_for("drills_manage.edit", slug=saved.slug))


@bp.post("/check")
@role_required(*AUTHORS)
def check():
    """Problems of the text being edited, as JSON (the editor checks as the trainer types)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return jsonify(error=_('Send the text as JSON: {"text": "..."}.')), 400
    _spec, problems = authoring.check_drill_text(body["text"], body.get("slug") or None)
    return jsonify(problems=[{"line": p.line, "message": p.message} for p in problems])
