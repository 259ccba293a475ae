"""Catalogue lookups the course pages share (the public API is courses.achievements)."""

from trainer.courses.models import Course, Lesson
from trainer.extensions import db


def published_courses(category: str | None = None) -> list[Course]:
    """Courses readers see, in catalogue order (level, then title)."""
    query = db.select(Course).where(Course.published, Course.retired_at.is_(None))
    if category:
        query = query.where(Course.category == category)
    courses = list(db.session.scalars(query))
    return sorted(courses, key=catalogue_order)


def catalogue_order(course: Course) -> tuple:
    """Foundations first, then by level, then by slug (stable across languages)."""
    from trainer.courses.fileformat import CATEGORIES

    category = CATEGORIES.index(course.category) if course.category in CATEGORIES else 99
    return (course.level, category, course.slug)


def active_lessons(course: Course) -> list[Lesson]:
    """The course's current lessons in order (from the loaded relationship)."""
    return [lesson for lesson in course.lessons if lesson.retired_at is None]
