"""The reader's pages: catalogue with "my learning", course page, lesson reader, images."""

import io
from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from trainer.core.auth import signed_in
from trainer.core.i18n import _, pick
from trainer.courses import images, progress
from trainer.courses.knowledge_checks import CheckResult
from trainer.courses.learning import learning_overview
from trainer.courses.lookups import (
    get_current_lesson_or_404,
    get_readable_course_and_enrollment_or_404,
    get_readable_course_or_404,
    is_author,
)
from trainer.courses.models import Course, Lesson
from trainer.courses.reading import course_page, lesson_page
from trainer.courses.render import lesson_html
from trainer.extensions import db

bp = Blueprint("courses", __name__, url_prefix="/courses", template_folder="templates")


def _locked_redirect(course: Course, missing: list[Course] | None = None):
    """Send a learner back to the course page while a prerequisite is missing; None if open."""
    if is_author(current_user):
        return None
    if missing is None:
        missing = progress.course_statuses(current_user, [course])[course.id].missing
    if not missing:
        return None
    names = ", ".join(pick(c.title) for c in missing)
    flash(_("Complete %(names)s first: this course builds on it.", names=names), "warning")
    return redirect(url_for("courses.course", slug=course.slug))


@bp.get("/")
@signed_in
def catalogue():
    """Every published course, the user's assigned courses first, and overall progress."""
    category = request.args.get("category", "")
    overview = learning_overview(current_user)
    return render_template("courses/catalogue.html", overview=overview, category=category)


@bp.get("/<slug>")
@signed_in
def course(slug: str):
    """A course: lessons, progress, completion date, due date, and what blocks it."""
    course = get_readable_course_or_404(slug, current_user)
    return render_template("courses/course.html", page=course_page(current_user, course))


@bp.get("/<slug>/<lesson_slug>")
@signed_in
def lesson(slug: str, lesson_slug: str):
    """The lesson reader: sanitised lesson text, knowledge checks, previous/next."""
    user = current_user._get_current_object()  # noqa: SLF001 (one proxy lookup, not one per use)
    course, enrollment = get_readable_course_and_enrollment_or_404(slug, user)
    page = lesson_page(user, course, enrollment, lesson_slug)
    if page is None:
        abort(404)
    if (blocked := _locked_redirect(course, page.status.missing)) is not None:
        return blocked
    body = lesson_html(course.slug, page.lesson)
    urls = _lesson_urls(course.slug)
    return render_template("courses/lesson.html", page=page, body=body, lesson_url=urls)


def _lesson_urls(course_slug: str) -> Callable[[str], str]:
    """`url_for("courses.lesson", slug=course_slug, lesson_slug=…)` for the many lessons a page
    links: the course's part built once, each lesson's slug quoted by the route's converter."""
    prefix = url_for("courses.lesson", slug=course_slug, lesson_slug="-").removesuffix("-")
    to_url = current_app.url_map.converters["default"](current_app.url_map).to_url
    return lambda lesson_slug: prefix + to_url(lesson_slug)


@bp.post("/<slug>/<lesson_slug>/complete")
@signed_in
def complete(slug: str, lesson_slug: str):
    """Record the lesson as read, then go on to the next lesson (or back to the course)."""
    course = get_readable_course_or_404(slug, current_user)
    lesson = get_current_lesson_or_404(course, lesson_slug)
    if (blocked := _locked_redirect(course)) is not None:
        return blocked
    try:
        course_completed = progress.complete_reached_lesson(current_user, lesson)[1]
    except progress.NotReached as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(url_for("courses.lesson", slug=slug, lesson_slug=lesson_slug))
    db.session.commit()
    if course_completed:
        flash(_("Course completed: %(title)s. Well done!", title=pick(course.title)), "success")
        return redirect(url_for("courses.course", slug=course.slug))
    return redirect(_next_url(course, lesson))


@bp.post("/<slug>/<lesson_slug>/reached")
@signed_in
def reached(slug: str, lesson_slug: str):
    """The reader's page saw the end of the lesson (JSON): "mark complete" is allowed now."""
    course = get_readable_course_or_404(slug, current_user)
    lesson = get_current_lesson_or_404(course, lesson_slug)
    if _locked_redirect(course) is not None:
        return jsonify(error=_("Complete the prerequisites first.")), 403
    progress.reach_lesson(current_user, lesson)
    db.session.commit()
    return jsonify(reached=True)


def _next_url(course: Course, lesson: Lesson) -> str:
    current = [ls for ls in course.lessons if ls.retired_at is None]
    index = current.index(lesson)
    if index + 1 < len(current):
        return url_for("courses.lesson", slug=course.slug, lesson_slug=current[index + 1].slug)
    return url_for("courses.course", slug=course.slug)


@bp.post("/<slug>/<lesson_slug>/checks/<int:index>")
@signed_in
def answer_check(slug: str, lesson_slug: str, index: int):
    """Answer a knowledge check: JSON for the page's script, a redirect for a plain form."""
    course = get_readable_course_or_404(slug, current_user)
    lesson = get_current_lesson_or_404(course, lesson_slug)
    if (blocked := _locked_redirect(course)) is not None:
        return _check_reply(None, _("Complete the prerequisites first."), 403, blocked)
    data = request.get_json(silent=True) if request.is_json else request.form
    choice = data.get("choice") if isinstance(data, dict) else None  # a JSON list, string, …
    try:
        result = progress.answer_check(current_user, lesson, index, int(choice))
    except (TypeError, ValueError, OverflowError):  # OverflowError: Infinity, 1e400
        db.session.rollback()
        return _check_reply(None, _("Choose one of the answers."), 400)
    db.session.commit()
    return _check_reply(result)


def _check_reply(result, error: str = "", status: int = 200, redirect_to=None):
    """JSON for fetch() callers; for a plain form, a flash and back to the check's anchor."""
    if request.is_json:
        return (jsonify(result_json(result)), 200) if result else (jsonify(error=error), status)
    if redirect_to is not None:
        return redirect_to
    if error:
        flash(error, "error")
    args = request.view_args
    anchor = f"check-{args['index']}"
    return redirect(
        url_for(
            "courses.lesson", slug=args["slug"], lesson_slug=args["lesson_slug"], _anchor=anchor
        )
    )


def result_json(result: CheckResult) -> dict:
    """The check feedback the page's script shows."""
    return {
        "index": result.index,
        "chosen": result.chosen,
        "correct": result.correct,
        "answer": result.answer,
        "verdict": _("Correct!") if result.correct else _("Not quite."),
        "explanation": result.explanation,
    }


@bp.get("/<slug>/images/<name>")
@signed_in
def image(slug: str, name: str):
    """A lesson image: uploaded (database) or shipped (the course's images/ folder)."""
    course = get_readable_course_or_404(slug, current_user)
    content_type = images.content_type_for(name)
    stored = images.stored_image(course, name) if content_type else None
    if stored is not None:
        return send_file(io.BytesIO(stored.data), mimetype=stored.content_type, max_age=3600)
    folder = images.folder_images(course) if content_type else None
    if folder is None or not (folder / name).is_file():
        return render_template("errors/error.html", code=404, message=_("No such image.")), 404
    # Read whole (images are small): no file handle outlives the request.
    return send_file(io.BytesIO((folder / name).read_bytes()), mimetype=content_type, max_age=3600)
