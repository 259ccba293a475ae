"""Trainers' pages: create and edit courses and lessons, publish, images, export and import."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from trainer.core.auth import ADMIN, TRAINER, role_required
from trainer.core.forms import choices
from trainer.core.i18n import _, pick
from trainer.core.problems import ProblemsError
from trainer.courses import authoring, images, transfer
from trainer.courses.fileformat import EDITOR_BODY_MAX
from trainer.courses.forms import CourseForm, ImageForm, ImportForm
from trainer.courses.lookups import get_editable_course_or_404
from trainer.courses.models import Course
from trainer.courses.render import render_lesson_body
from trainer.courses.stats import course_stats
from trainer.extensions import db

bp = Blueprint("course_manage", __name__, url_prefix="/courses/manage")


def _course_form(course: Course | None = None) -> CourseForm:
    """The course form, filled from `course` on GET, with prerequisite choices."""
    form = CourseForm()
    if course is not None and request.method == "GET":
        form.slug.data = course.slug
        form.title_zh.data, form.title_en.data = course.title["zh_CN"], course.title["en"]
        form.summary_zh.data, form.summary_en.data = course.summary["zh_CN"], course.summary["en"]
        form.category.data, form.level.data = course.category, course.level
        form.estimated_minutes.data = course.estimated_minutes
        form.prerequisites.data = list(course.prerequisites)
        form.require_reading.data = course.require_reading
    others = db.session.scalars(db.select(Course).where(Course.retired_at.is_(None)))
    form.prerequisites.choices = choices(
        (c.slug, pick(c.title))
        for c in sorted(others, key=lambda c: c.slug)
        if course is None or c.id != course.id
    )
    return form


@bp.get("/")
@role_required(TRAINER, ADMIN)
def index():
    """Every course with its status, lesson count and learners; import a zip."""
    return render_template(
        "courses/manage/index.html", rows=course_stats(), form=ImportForm(), problems=[]
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(TRAINER, ADMIN)
def create_course():
    """Create a draft course."""
    form = _course_form()
    if form.validate_on_submit():
        try:
            course = authoring.create_course(
                slug=form.slug.data.strip(), actor=current_user, **form.course_fields()
            )
        except authoring.AuthoringError as error:
            db.session.rollback()
            form.slug.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Course created. Add its lessons, then publish it."), "success")
            return redirect(url_for("course_manage.edit_course", slug=course.slug))
    return render_template("courses/manage/course_new.html", form=form)


@bp.route("/<slug>", methods=["GET", "POST"])
@role_required(TRAINER, ADMIN)
def edit_course(slug: str):
    """Edit a course's details; its lessons, images and publishing."""
    course = get_editable_course_or_404(slug)
    form = _course_form(course)
    del form.slug  # keyed by slug everywhere: it never changes
    if form.validate_on_submit():
        try:
            authoring.update_course(course, actor=current_user, **form.course_fields())
        except authoring.AuthoringError as error:
            db.session.rollback()
            form.prerequisites.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("course_manage.edit_course", slug=slug))
    return render_template(
        "courses/manage/course_edit.html",
        course=course,
        form=form,
        image_form=ImageForm(),
        image_names=sorted(images.image_names(course)),
        uploaded=images.uploaded_names(course),
    )


@bp.post("/<slug>/publish")
@role_required(TRAINER, ADMIN)
def publish(slug: str):
    """Show the course to readers."""
    return _set_published(slug, True)


@bp.post("/<slug>/unpublish")
@role_required(TRAINER, ADMIN)
def unpublish(slug: str):
    """Hide the course from readers (progress and assignments are kept)."""
    return _set_published(slug, False)


def _set_published(slug: str, published: bool):
    course = get_editable_course_or_404(slug)
    try:
        authoring.set_published(course, published, current_user)
    except authoring.AuthoringError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Published.") if published else _("Unpublished."), "success")
    return redirect(url_for("course_manage.edit_course", slug=slug))


@bp.get("/<slug>/export.zip")
@role_required(TRAINER, ADMIN)
def export(slug: str):
    """Download the course as a zip in the course folder format."""
    course = get_editable_course_or_404(slug)
    headers = {"Content-Disposition": f'attachment; filename="{course.slug}.zip"'}
    return Response(transfer.export_course(course), mimetype="application/zip", headers=headers)


def _imported_message(course: Course, counts) -> str:
    return _(
        "Imported %(title)s: %(new)d new lessons, %(changed)d changed.",
        title=pick(course.title),
        new=counts.lessons_created,
        changed=counts.lessons_versioned,
    )


@bp.post("/import")
@role_required(TRAINER, ADMIN)
def import_zip():
    """Create or update a course from a zip; any problem means nothing changes."""
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        try:
            course, counts = transfer.import_course(form.archive.data.read(), current_user)
        except ProblemsError as error:
            db.session.rollback()
            problems = error.problems
        else:
            db.session.commit()
            flash(_imported_message(course, counts), "success")
            return redirect(url_for("course_manage.edit_course", slug=course.slug))
    flash(_("Nothing was imported."), "error")
    return render_template(
        "courses/manage/index.html", rows=course_stats(), form=form, problems=problems
    ), 400


@bp.post("/<slug>/images")
@role_required(TRAINER, ADMIN)
def upload_image(slug: str):
    """Add an image the course's lessons can show as images/NAME."""
    course = get_editable_course_or_404(slug)
    form = ImageForm()
    if form.validate_on_submit():
        upload = form.image.data
        try:
            saved = images.save_image(course, upload.filename, upload.read(), current_user)
        except images.ImageError as error:
            db.session.rollback()
            flash(_("%(name)s: %(problem)s", name=upload.filename, problem=error), "error")
        else:
            db.session.commit()
            flash(
                _("Image saved: use ![description](images/%(name)s)", name=saved.filename),
                "success",
            )
    else:
        flash(" ".join(form.image.errors) or _("Choose an image file."), "error")
    return redirect(url_for("course_manage.edit_course", slug=slug, _anchor="images"))


@bp.post("/<slug>/images/<name>/delete")
@role_required(TRAINER, ADMIN)
def delete_image(slug: str, name: str):
    """Remove an uploaded image."""
    course = get_editable_course_or_404(slug)
    if not images.delete_image(course, name, current_user):
        abort(404)
    db.session.commit()
    flash(_("Image removed."), "success")
    return redirect(url_for("course_manage.edit_course", slug=slug, _anchor="images"))


@bp.post("/preview")
@role_required(TRAINER, ADMIN)
def preview():
    """Sanitised HTML and line-numbered problems for the editor's live preview (JSON)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error=_("Send the lesson text and the course.")), 400
    text, slug = data.get("markdown"), data.get("course")
    if not isinstance(text, str) or not isinstance(slug, str) or len(text) > 2 * EDITOR_BODY_MAX:
        return jsonify(error=_("Send the lesson text and the course.")), 400
    course = db.session.scalar(db.select(Course).where(Course.slug == slug))
    if course is None:
        return jsonify(error=_("No such course.")), 404
    problems = authoring.lesson_body_problems(course, text) if text.strip() else []
    return jsonify(
        html=str(render_lesson_body(course.slug, text)),
        problems=[
            _("Line %(line)d: %(message)s", line=p.line, message=p.message) for p in problems
        ],
    )
