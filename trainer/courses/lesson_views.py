"""Trainers' lesson editor: add, edit (a new version each time), reorder, retire, history."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.core.auth import ADMIN, TRAINER, role_required
from trainer.core.i18n import _
from trainer.courses import authoring
from trainer.courses.forms import LessonForm
from trainer.courses.lookups import get_any_lesson_or_404, get_editable_course_or_404
from trainer.courses.models import Course, Lesson, LessonVersion
from trainer.courses.render import render_lesson_body
from trainer.extensions import db

bp = Blueprint("lesson_manage", __name__, url_prefix="/courses/manage")


def _editor(course: Course, form: LessonForm, lesson: Lesson | None = None, problems=()):
    """The editor page (also re-shown with errors)."""
    return render_template(
        "courses/manage/lesson_form.html",
        course=course,
        lesson=lesson,
        form=form,
        problems=problems,
        preview=render_lesson_body(course.slug, form.body.data or ""),
    )


@bp.route("/<slug>/lessons/new", methods=["GET", "POST"])
@role_required(TRAINER, ADMIN)
def new_lesson(slug: str):
    """Add a lesson at the end of the course."""
    course = get_editable_course_or_404(slug)
    form = LessonForm()
    if form.validate_on_submit():
        try:
            lesson = authoring.add_lesson(
                course, slug=form.slug.data.strip(), actor=current_user, **form.lesson_fields()
            )
        except authoring.AuthoringError as error:
            db.session.rollback()
            flash(str(error), "error")
            return _editor(course, form, problems=error.problems)
        db.session.commit()
        flash(_("Lesson added."), "success")
        return redirect(url_for("course_manage.edit_course", slug=slug, _anchor=lesson.slug))
    return _editor(course, form)


@bp.route("/<slug>/lessons/<lesson_slug>", methods=["GET", "POST"])
@role_required(TRAINER, ADMIN)
def edit_lesson(slug: str, lesson_slug: str):
    """Edit a lesson; saving a change makes a new version, earlier ones stay in the history."""
    course = get_editable_course_or_404(slug)
    lesson = get_any_lesson_or_404(course, lesson_slug)
    form = LessonForm()
    if request.method == "GET":
        form.fill_from(lesson)
    form.slug.data = lesson.slug  # the key never changes
    if form.validate_on_submit():
        try:
            changed = authoring.edit_lesson(lesson, actor=current_user, **form.lesson_fields())
        except authoring.AuthoringError as error:
            db.session.rollback()
            flash(str(error), "error")
            return _editor(course, form, lesson, error.problems)
        db.session.commit()
        if changed:
            flash(_("Saved as version %(n)d.", n=lesson.version), "success")
        else:
            flash(_("No changes to save."), "info")
        return redirect(url_for("lesson_manage.edit_lesson", slug=slug, lesson_slug=lesson_slug))
    return _editor(course, form, lesson)


@bp.get("/<slug>/lessons/<lesson_slug>/versions/<int:version>")
@role_required(TRAINER, ADMIN)
def lesson_version(slug: str, lesson_slug: str, version: int):
    """An earlier version of a lesson, read-only."""
    course = get_editable_course_or_404(slug)
    lesson = get_any_lesson_or_404(course, lesson_slug)
    saved = db.session.scalar(
        db.select(LessonVersion).where(
            LessonVersion.lesson_id == lesson.id, LessonVersion.version == version
        )
    )
    if saved is None:
        abort(404)
    body = render_lesson_body(course.slug, saved.body)
    return render_template(
        "courses/manage/version.html", course=course, lesson=lesson, saved=saved, body=body
    )


@bp.post("/<slug>/lessons/<lesson_slug>/move")
@role_required(TRAINER, ADMIN)
def move_lesson(slug: str, lesson_slug: str):
    """Move a lesson one place up or down."""
    course = get_editable_course_or_404(slug)
    lesson = get_any_lesson_or_404(course, lesson_slug)
    if lesson.retired_at is None:
        offset = -1 if request.form.get("direction") == "up" else 1
        authoring.move_lesson(lesson, offset, current_user)
        db.session.commit()
    return redirect(url_for("course_manage.edit_course", slug=slug, _anchor="lessons"))


@bp.post("/<slug>/lessons/<lesson_slug>/retire")
@role_required(TRAINER, ADMIN)
def retire_lesson(slug: str, lesson_slug: str):
    """Hide a lesson from readers (kept in the history)."""
    lesson = get_any_lesson_or_404(get_editable_course_or_404(slug), lesson_slug)
    authoring.retire_lesson(lesson, current_user)
    db.session.commit()
    flash(_("Lesson retired: readers no longer see it."), "success")
    return redirect(url_for("course_manage.edit_course", slug=slug, _anchor="lessons"))


@bp.post("/<slug>/lessons/<lesson_slug>/restore")
@role_required(TRAINER, ADMIN)
def restore_lesson(slug: str, lesson_slug: str):
    """Show a retired lesson again."""
    lesson = get_any_lesson_or_404(get_editable_course_or_404(slug), lesson_slug)
    authoring.restore_lesson(lesson, current_user)
    db.session.commit()
    flash(_("Lesson restored."), "success")
    return redirect(url_for("course_manage.edit_course", slug=slug, _anchor="lessons"))
