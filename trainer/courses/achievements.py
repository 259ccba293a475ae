"""Public API of courses for the features above it: what an agent completed, titles, lessons.

They take and return plain values only (docs/architecture.md).
"""

from datetime import datetime
from urllib.parse import quote

from flask import has_request_context, url_for

from trainer.core.memo import memo_active
from trainer.courses.models import Course, Enrollment, Lesson
from trainer.courses.progress import enrollments_of
from trainer.extensions import db


def completed_courses(user_ids: list[int]) -> dict[int, dict[str, datetime]]:
    """User id → {course slug: completed_at} for every course each user has completed."""
    result: dict[int, dict[str, datetime]] = {uid: {} for uid in user_ids}
    if not user_ids:
        return result
    if len(result) == 1 and memo_active():  # one agent's page: the learning panel's read
        (uid,) = result
        enrolled = enrollments_of(uid).values()
        return {uid: {e.course.slug: e.completed_at for e in enrolled if e.completed_at}}
    rows = db.session.execute(
        db.select(Enrollment.user_id, Course.slug, Enrollment.completed_at)
        .join(Course, Course.id == Enrollment.course_id)
        .where(Enrollment.user_id.in_(list(user_ids)), Enrollment.completed_at.is_not(None))
    )
    for user_id, slug, completed_at in rows:
        result.setdefault(user_id, {})[slug] = completed_at
    return result


def course_titles(slugs: list[str]) -> dict[str, dict[str, str]]:
    """Course slug → {"zh_CN": ..., "en": ...} for the slugs that name a course."""
    if not slugs:
        return {}
    rows = db.session.execute(db.select(Course.slug, Course.title).where(Course.slug.in_(slugs)))
    return {slug: dict(title) for slug, title in rows}


def lesson_titles(keys: list[str]) -> dict[str, dict[str, str]]:
    """ "course/lesson" key → the lesson's title ({"zh_CN": ..., "en": ...}), current lessons."""
    pairs = {tuple(key.split("/", 1)) for key in keys if "/" in key}
    if not pairs:
        return {}
    rows = db.session.execute(
        db.select(Course.slug, Lesson.slug, Lesson.title)
        .join(Course, Course.id == Lesson.course_id)
        .where(Course.slug.in_({c for c, _ in pairs}), Lesson.retired_at.is_(None))
    )
    return {f"{c}/{s}": dict(title) for c, s, title in rows if (c, s) in pairs}


def lesson_exists(course_slug: str, lesson_slug: str) -> bool:
    """True when the lesson is readable: current lesson of a published, current course."""
    return (
        db.session.scalar(
            db.select(Lesson.id)
            .join(Course, Course.id == Lesson.course_id)
            .where(
                Course.slug == course_slug,
                Course.published,
                Course.retired_at.is_(None),
                Lesson.slug == lesson_slug,
                Lesson.retired_at.is_(None),
            )
        )
        is not None
    )


def lesson_url(course_slug: str, lesson_slug: str) -> str:
    """The reader URL of a lesson (/courses/<course>/<lesson>), usable outside requests too."""
    if has_request_context():
        return url_for("courses.lesson", slug=course_slug, lesson_slug=lesson_slug)
    return f"/courses/{quote(course_slug)}/{quote(lesson_slug)}"
