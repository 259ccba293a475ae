"""An agent's learning at a glance: assigned courses first, overall progress, where to resume."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam

from trainer.core.clock import utcnow
from trainer.core.memo import request_memo
from trainer.courses.fileformat import CATEGORIES
from trainer.courses.models import Course, Lesson, LessonProgress
from trainer.courses.progress import (
    CourseStatus,
    course_statuses,
    courses_with_counts,
    resume_lesson,
)
from trainer.courses.services import catalogue_order
from trainer.extensions import db

FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


@dataclass
class Overview:
    """The catalogue and the home panel both read this."""

    statuses: list[CourseStatus]
    now: datetime
    resume: tuple[Course, Lesson] | None = None
    categories: list[str] = field(default_factory=list)

    @property
    def assigned(self) -> list[CourseStatus]:
        """Assigned courses: open ones by due date (overdue first), then completed ones."""
        items = [s for s in self.statuses if s.assigned]
        return sorted(items, key=lambda s: (s.completed_at is not None, s.due_at or FAR_FUTURE))

    @property
    def others(self) -> list[CourseStatus]:
        return [s for s in self.statuses if not s.assigned]

    @property
    def overall_percent(self) -> int:
        """Lessons done over lessons in every published course."""
        total = sum(s.total for s in self.statuses)
        done = sum(s.total if s.completed_at else min(s.done, s.total) for s in self.statuses)
        return round(100 * done / total) if total else 0

    @property
    def completed_count(self) -> int:
        return sum(1 for s in self.statuses if s.completed_at is not None)

    @property
    def overdue_count(self) -> int:
        return sum(1 for s in self.statuses if s.overdue(self.now))


def learning_overview(user: Any) -> Overview:
    """Every published course with the user's status, plus the lesson to resume.

    Read once per GET request: the home panel and the home's action list share it.
    """
    return request_memo(("courses.learning_overview", user.id), lambda: _read_overview(user))


def _read_overview(user: Any) -> Overview:
    courses, totals, done = courses_with_counts(user)  # one query
    courses = sorted(courses, key=catalogue_order)
    statuses = course_statuses(user, courses, (totals, done))
    overview = Overview(statuses=[statuses[c.id] for c in courses], now=utcnow())
    present = {c.category for c in courses}
    overview.categories = [key for key in CATEGORIES if key in present]
    overview.resume = _resume(user, overview)
    return overview


@cache
def _lessons_with_progress_statement() -> Select:
    """A course's lessons with one user's progress (course and user ids bound): built once per
    process, as the home page reads it on every visit."""
    user_id = bindparam("user_id")
    mine = and_(LessonProgress.lesson_id == Lesson.id, LessonProgress.user_id == user_id)
    return (
        db.select(Lesson, LessonProgress)
        .outerjoin(LessonProgress, mine)
        .where(Lesson.course_id == bindparam("course_id"), Lesson.retired_at.is_(None))
        .order_by(Lesson.position)
    )


def _resume(user: Any, overview: Overview) -> tuple[Course, Lesson] | None:
    """Continue the open course the user worked on last; else start the most urgent one."""
    open_ = [s for s in overview.statuses if s.completed_at is None and not s.locked and s.total]
    started = [s for s in open_ if s.enrollment and s.enrollment.last_read_at]
    if started:
        choice = max(started, key=lambda s: s.enrollment.last_read_at)
    else:
        assigned = [s for s in open_ if s.assigned]
        if not assigned:
            return None
        choice = min(assigned, key=lambda s: s.due_at or FAR_FUTURE)
    params = {"user_id": user.id, "course_id": choice.course.id}
    rows = db.session.execute(_lessons_with_progress_statement(), params).all()
    lessons = [lesson for lesson, _progress in rows]
    progress = {lesson.id: done for lesson, done in rows if done is not None}
    lesson = resume_lesson(lessons, progress, choice.enrollment)
    return (choice.course, lesson) if lesson else None
