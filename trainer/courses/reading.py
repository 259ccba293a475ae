"""What the course page and the lesson reader show a user, assembled in a few queries."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Row, and_, bindparam, case

from trainer.core.clock import utcnow
from trainer.courses.knowledge_checks import CheckResult, saved_check_results
from trainer.courses.models import Course, Enrollment, Lesson, LessonProgress
from trainer.courses.progress import (
    CourseStatus,
    course_status,
    course_statuses,
    is_done,
    lesson_progress_map,
    reached_end,
    resume_lesson,
)
from trainer.courses.services import active_lessons
from trainer.extensions import db


@dataclass
class CoursePage:
    """A course with the user's progress through its lessons."""

    course: Course
    status: CourseStatus
    lessons: list[Lesson]
    progress: dict[int, LessonProgress]
    resume: Lesson | None
    now: datetime

    def done(self, lesson: Lesson) -> bool:
        """Read at its current version."""
        return is_done(lesson, self.progress.get(lesson.id))

    def updated_since_read(self, lesson: Lesson) -> bool:
        """Completed at an earlier version: worth reading again."""
        progress = self.progress.get(lesson.id)
        return bool(progress and progress.completed_version and not self.done(lesson))


@dataclass
class LessonPage:
    """One lesson as the reader shows it: the course's current lessons (rows, each with the
    user's progress columns, see `_reader_lessons_statement`), the open one and its neighbours,
    the user's status in the course and check answers."""

    course: Course
    status: CourseStatus
    lessons: list[Row]
    lesson: Row
    number: int  # the open lesson's, from 1
    previous: Row | None
    next: Row | None
    results: dict[int, CheckResult]

    def done(self, lesson: Row) -> bool:
        """Read at its current version (`is_done`; the row carries the progress columns)."""
        return is_done(lesson, lesson)

    def updated_since_read(self, lesson: Row) -> bool:
        """Completed at an earlier version: worth reading again."""
        return bool(lesson.completed_version) and not self.done(lesson)

    @property
    def reached(self) -> bool:
        """The reader may mark the lesson complete (`has_reached`: its end was reached, or need
        not be)."""
        return not self.course.require_reading or reached_end(self.lesson, self.lesson)


def course_page(user: Any, course: Course) -> CoursePage:
    """The course, the user's status (progress, lock, due date) and where to resume."""
    status = course_statuses(user, [course])[course.id]
    lessons = active_lessons(course)
    progress = lesson_progress_map(user, lessons)
    resume = resume_lesson(lessons, progress, status.enrollment)
    return CoursePage(course, status, lessons, progress, resume, utcnow())


def lesson_page(
    user: Any, course: Course, enrollment: Enrollment | None, lesson_slug: str
) -> LessonPage | None:
    """Everything the reader needs for one lesson (None: the course has no such current lesson),
    in one query, two when the course has prerequisites."""
    params = {"course_id": course.id, "user_id": user.id, "lesson_slug": lesson_slug}
    lessons = db.session.execute(_reader_lessons_statement(), params).all()
    index = next((i for i, row in enumerate(lessons) if row.slug == lesson_slug), None)
    if index is None:
        return None
    lesson = lessons[index]
    done = sum(1 for row in lessons if is_done(row, row))
    return LessonPage(
        course=course,
        status=course_status(user, course, enrollment, len(lessons), done),
        lessons=lessons,
        lesson=lesson,
        number=index + 1,
        previous=lessons[index - 1] if index > 0 else None,
        next=lessons[index + 1] if index + 1 < len(lessons) else None,
        results=saved_check_results(lesson, lesson),
    )


@cache
def _reader_lessons_statement() -> Any:
    """The course's current lessons in order, each with the user's progress columns (None when
    there is no progress); the text, checks and answers of the open lesson only (the others show
    their titles): built once."""
    opened = Lesson.slug == bindparam("lesson_slug")
    own = and_(
        LessonProgress.lesson_id == Lesson.id, LessonProgress.user_id == bindparam("user_id")
    )
    return (
        db.select(
            Lesson.id,
            Lesson.slug,
            Lesson.title,
            Lesson.minutes,
            Lesson.version,
            Lesson.content_hash,
            case((opened, Lesson.body)).label("body"),
            case((opened, Lesson.checks)).label("checks"),
            LessonProgress.completed_version,
            LessonProgress.reached_version,
            LessonProgress.checks_version,
            case((opened, LessonProgress.check_answers)).label("check_answers"),
        )
        .outerjoin(LessonProgress, own)
        .where(Lesson.course_id == bindparam("course_id"), Lesson.retired_at.is_(None))
        .order_by(Lesson.position)
    )
