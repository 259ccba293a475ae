"""Counts for the authoring list and the staff home panel."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func

from trainer.accounts.models import User
from trainer.core.clock import utcnow
from trainer.core.memo import request_memo
from trainer.courses.assignments import scope_team_id
from trainer.courses.models import Course, Enrollment
from trainer.courses.progress import active_lesson_counts
from trainer.courses.services import catalogue_order, published_courses
from trainer.extensions import db


@dataclass
class CourseCounts:
    """A course with its lesson count and learner numbers."""

    course: Course
    lessons: int = 0
    learners: int = 0
    assigned: int = 0
    completed: int = 0
    overdue: int = 0

    @property
    def completion_rate(self) -> int:
        """Completed over assigned, in percent."""
        return round(100 * self.completed / self.assigned) if self.assigned else 0


def _enrollment_counts(team_id: int | None) -> dict[int, tuple[int, int, int, int]]:
    """Course id → (learners, assigned, assigned and completed, overdue), agents only."""
    now = utcnow()
    assigned = Enrollment.assigned_at.is_not(None)
    query = (
        db.select(
            Enrollment.course_id,
            func.count(Enrollment.id),
            func.sum(case((assigned, 1), else_=0)),
            func.sum(case((assigned & Enrollment.completed_at.is_not(None), 1), else_=0)),
            func.sum(
                case(
                    (
                        assigned & Enrollment.completed_at.is_(None) & (Enrollment.due_at < now),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .join(User, User.id == Enrollment.user_id)
        .where(User.role == "agent", User.active)
        .group_by(Enrollment.course_id)
    )
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in db.session.execute(query)}


def course_stats() -> list[CourseCounts]:
    """Every course (drafts and retired ones too) for the authoring list."""
    courses = sorted(db.session.scalars(db.select(Course)), key=catalogue_order)
    lessons = active_lesson_counts([c.id for c in courses])
    learners = _enrollment_counts(None)
    return [
        CourseCounts(c, lessons.get(c.id, 0), *learners.get(c.id, (0, 0, 0, 0))) for c in courses
    ]


def team_completion(actor: Any) -> list[CourseCounts]:
    """Published courses with assignment and completion counts over the actor's agents.

    Read once per GET request: the staff home panel and its action list share it.
    """

    def load() -> list[CourseCounts]:
        courses = published_courses()
        counts = _enrollment_counts(scope_team_id(actor))
        return [CourseCounts(c, 0, *counts.get(c.id, (0, 0, 0, 0))) for c in courses]

    return request_memo(("courses.team_completion", actor.id), load)
