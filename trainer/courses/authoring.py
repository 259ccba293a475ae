"""Trainers author courses in the browser: create, edit, order lessons, publish, retire."""

from typing import Any

from trainer.core import audit
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.core.problems import Problem
from trainer.courses import images
from trainer.courses.checker import LessonChecker
from trainer.courses.fileformat import RESERVED_SLUGS, SLUG, find_cycle
from trainer.courses.models import SOURCE_EDITOR, Course, Lesson
from trainer.courses.progress import refresh_completions
from trainer.courses.versioning import create_lesson, save_lesson_version
from trainer.extensions import db

COURSE_FIELDS = ("title", "summary", "category", "estimated_minutes", "level", "prerequisites")
COURSE_FIELDS += ("require_reading",)


class AuthoringError(ValueError):
    """A user-facing reason an authoring change was refused (nothing was changed)."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def _snapshot(course: Course) -> dict[str, Any]:
    return {name: getattr(course, name) for name in ("slug", "published", *COURSE_FIELDS)}


def check_new_slug(slug: str) -> None:
    """Refuse a malformed, reserved or taken course slug."""
    if not SLUG.match(slug or "") or len(slug) > 64:
        raise AuthoringError(_("The slug uses lowercase letters, digits and single hyphens."))
    if slug in RESERVED_SLUGS:
        raise AuthoringError(_("The slug %(slug)s is reserved; choose another.", slug=slug))
    if db.session.scalar(db.select(Course.id).where(Course.slug == slug)) is not None:
        raise AuthoringError(_("A course with the slug %(slug)s exists already.", slug=slug))


def check_prerequisites(slug: str, prerequisites: list[str]) -> None:
    """Prerequisites must be other existing courses and must not form a cycle."""
    if slug in prerequisites:
        raise AuthoringError(_("A course cannot be its own prerequisite."))
    rows = db.session.execute(db.select(Course.slug, Course.prerequisites)).all()
    graph = {s: list(p or []) for s, p in rows}
    unknown = [p for p in prerequisites if p not in graph]
    if unknown:
        raise AuthoringError(_("Prerequisite %(slug)s is not a course.", slug=unknown[0]))
    graph[slug] = list(prerequisites)
    cycle = find_cycle(slug, graph)
    if cycle:
        raise AuthoringError(_("Prerequisites form a cycle: %(cycle)s.", cycle=" → ".join(cycle)))


def create_course(*, slug: str, actor: Any, **fields: Any) -> Course:
    """A new, unpublished course made in the browser."""
    check_new_slug(slug)
    check_prerequisites(slug, fields.get("prerequisites", []))
    course = Course(slug=slug, published=False, source=SOURCE_EDITOR, **fields)
    db.session.add(course)
    db.session.flush()
    audit.record(actor, "course.create", course, after=_snapshot(course))
    return course


def update_course(course: Course, *, actor: Any, **fields: Any) -> Course:
    """Change a course's titles, summary, category, minutes, level or prerequisites."""
    check_prerequisites(course.slug, fields.get("prerequisites", course.prerequisites))
    before = _snapshot(course)
    for name in COURSE_FIELDS:
        if name in fields:
            setattr(course, name, fields[name])
    db.session.flush()
    audit.record(actor, "course.update", course, before=before, after=_snapshot(course))
    return course


def set_published(course: Course, published: bool, actor: Any) -> None:
    """Show the course to readers, or hide it; a course needs a lesson before it is shown."""
    if published and not any(lesson.retired_at is None for lesson in course.lessons):
        raise AuthoringError(_("Add at least one lesson before publishing the course."))
    course.published = published
    db.session.flush()
    audit.record(actor, "course.publish" if published else "course.unpublish", course)


def lesson_body_problems(course: Course, body: str) -> list[Problem]:
    """Line-numbered problems in a lesson body written in the editor (callouts, images, HTML)."""
    checker = LessonChecker("", strict=False)
    checker.check_body("", body, 1, images.image_names(course))
    return checker.problems


def _check_body(course: Course, body: str) -> None:
    problems = lesson_body_problems(course, body)
    if problems:
        raise AuthoringError(_("The lesson text has problems; see the lines below."), problems)


def add_lesson(
    course: Course, *, slug: str, actor: Any, title: dict, minutes: int, body: str, checks: list
) -> Lesson:
    """Append a new lesson (version 1) to the course."""
    if not SLUG.match(slug or "") or len(slug) > 64:
        raise AuthoringError(_("The lesson key uses lowercase letters, digits and hyphens."))
    if any(lesson.slug == slug for lesson in course.lessons):
        raise AuthoringError(_("This course already has a lesson with the key %(key)s.", key=slug))
    _check_body(course, body)
    position = max((lesson.position for lesson in course.lessons), default=0) + 1
    lesson = create_lesson(
        course,
        slug=slug,
        position=position,
        title=title,
        minutes=minutes,
        body=body,
        checks=checks,
        source=SOURCE_EDITOR,
        actor=actor,
    )
    audit.record(actor, "lesson.create", lesson, course=course.slug, lesson=slug)
    return lesson


def edit_lesson(
    lesson: Lesson, *, actor: Any, title: dict, minutes: int, body: str, checks: list
) -> bool:
    """Save the edit as a new version; False when nothing changed."""
    _check_body(lesson.course, body)
    changed = save_lesson_version(
        lesson,
        title=title,
        minutes=minutes,
        body=body,
        checks=checks,
        source=SOURCE_EDITOR,
        actor=actor,
    )
    if changed:
        audit.record(actor, "lesson.update", lesson, version=lesson.version)
    return changed


def move_lesson(lesson: Lesson, offset: int, actor: Any) -> None:
    """Move a lesson up (-1) or down (+1) among the course's current lessons."""
    order = [ls for ls in lesson.course.lessons if ls.retired_at is None]
    index = order.index(lesson)
    target = index + offset
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
        reorder_lessons(lesson.course, [ls.slug for ls in order], actor)


def reorder_lessons(course: Course, slugs: list[str], actor: Any) -> None:
    """Put the current lessons in the given order (every current lesson exactly once)."""
    current = [ls for ls in course.lessons if ls.retired_at is None]
    if sorted(slugs) != sorted(ls.slug for ls in current):
        raise AuthoringError(_("The new order must list every lesson once."))
    by_slug = {ls.slug: ls for ls in current}
    retired = [ls for ls in course.lessons if ls.retired_at is not None]
    for position, lesson in enumerate([by_slug[s] for s in slugs] + retired, start=1):
        lesson.position = position
    db.session.flush()
    audit.record(actor, "course.reorder", course, order=slugs)


def retire_lesson(lesson: Lesson, actor: Any) -> None:
    """Hide a lesson from readers; its versions and readers' progress stay in the history."""
    lesson.retired_at = utcnow()
    db.session.flush()
    refresh_completions(lesson.course)
    audit.record(actor, "lesson.retire", lesson)


def restore_lesson(lesson: Lesson, actor: Any) -> None:
    """Show a retired lesson again, at the end of the course."""
    lesson.retired_at = None
    lesson.position = max(ls.position for ls in lesson.course.lessons) + 1
    db.session.flush()
    audit.record(actor, "lesson.restore", lesson)
