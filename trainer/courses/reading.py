"""What the course page and the lesson reader show a user, assembled in a few queries."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trainer.core.clock import utcnow
from trainer.courses.knowledge_checks import CheckResult, saved_check_results
from trainer.courses.models import Course, Lesson, LessonProgress
from trainer.courses.progress import (
    CourseStatus,
    course_statuses,
    has_reached,
    is_done,
    lesson_progress_map,
    resume_lesson,
)
from trainer.courses.services import active_lessons


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
class LessonPage(CoursePage):
    """The course page's data plus the open lesson, its neighbours and check answers."""

    lesson: Lesson | None = None
    previous: Lesson | None = None
    next: Lesson | None = None
    results: dict[int, CheckResult] | None = None

    @property
    def number(self) -> int:
        return self.lessons.index(self.lesson) + 1

    @property
    def reached(self) -> bool:
        """The reader may mark the lesson complete (its end was reached, or need not be)."""
        return has_reached(self.lesson, self.progress.get(self.lesson.id))


def course_page(user: Any, course: Course) -> CoursePage:
    """The course, the user's status (progress, lock, due date) and where to resume."""
    status = course_statuses(user, [course])[course.id]
    lessons = active_lessons(course)
    progress = lesson_progress_map(user, lessons)
    resume = resume_lesson(lessons, progress, status.enrollment)
    return CoursePage(course, status, lessons, progress, resume, utcnow())


def lesson_page(user: Any, course: Course, lesson: Lesson) -> LessonPage:
    """Everything the reader needs for one lesson."""
    page = course_page(user, course)
    index = page.lessons.index(lesson)
    return LessonPage(
        **vars(page),
        lesson=lesson,
        previous=page.lessons[index - 1] if index > 0 else None,
        next=page.lessons[index + 1] if index + 1 < len(page.lessons) else None,
        results=saved_check_results(lesson, page.progress.get(lesson.id)),
    )
