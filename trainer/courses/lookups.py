"""Load a course, lesson or enrolment for a view, checking who may see it (404 otherwise)."""

from functools import cache
from typing import Any

from flask import abort
from sqlalchemy import and_, bindparam

from trainer.core.auth import ADMIN, TRAINER
from trainer.courses.assignments import assignable_agents
from trainer.courses.models import Course, Enrollment, Lesson
from trainer.extensions import db

AUTHORS = (TRAINER, ADMIN)


def is_author(user: Any) -> bool:
    """Trainers and admins see drafts and are never held back by prerequisites."""
    return user.role in AUTHORS


def _course_with_lessons(slug: str) -> Course | None:
    return db.session.scalar(
        db.select(Course).where(Course.slug == slug).options(db.selectinload(Course.lessons))
    )


def get_readable_course_or_404(slug: str, user: Any) -> Course:
    """A published course (drafts too for authors); retired courses are gone for readers."""
    return _readable_or_404(_course_with_lessons(slug), user)


def get_readable_course_and_enrollment_or_404(
    slug: str, user: Any
) -> tuple[Course, Enrollment | None]:
    """`get_readable_course_or_404` without the lessons, with the user's enrolment in the course
    (None if not enrolled): one query."""
    params = {"slug": slug, "user_id": user.id}
    row = db.session.execute(_course_and_enrollment_statement(), params).first()
    course, enrollment = row if row is not None else (None, None)
    return _readable_or_404(course, user), enrollment


@cache
def _course_and_enrollment_statement() -> Any:
    """The statement of `get_readable_course_and_enrollment_or_404`, built once."""
    enrolled = and_(Enrollment.course_id == Course.id, Enrollment.user_id == bindparam("user_id"))
    return (
        db.select(Course, Enrollment)
        .outerjoin(Enrollment, enrolled)
        .where(Course.slug == bindparam("slug"))
    )


def _readable_or_404(course: Course | None, user: Any) -> Course:
    if course is None or course.retired_at is not None:
        abort(404)
    if not course.published and not is_author(user):
        abort(404)
    return course


def get_current_lesson_or_404(course: Course, lesson_slug: str) -> Lesson:
    """A lesson readers see (not retired)."""
    for lesson in course.lessons:
        if lesson.slug == lesson_slug and lesson.retired_at is None:
            return lesson
    abort(404)


def get_editable_course_or_404(slug: str) -> Course:
    """Any course, for its authors."""
    course = _course_with_lessons(slug)
    if course is None:
        abort(404)
    return course


def get_any_lesson_or_404(course: Course, lesson_slug: str) -> Lesson:
    """A lesson of the course, retired ones included (authors restore them)."""
    for lesson in course.lessons:
        if lesson.slug == lesson_slug:
            return lesson
    abort(404)


def get_enrollment_in_scope_or_404(enrollment_id: int, actor: Any) -> Enrollment:
    """An enrolment of an agent the actor may manage (a manager: their own team)."""
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.user_id not in {u.id for u in assignable_agents(actor)}:
        abort(404)
    return enrollment
