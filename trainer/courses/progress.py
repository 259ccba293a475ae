"""Learner progress: lesson completion (per version), knowledge checks, course completion.

A lesson counts as done when it was completed at its current version, so a changed lesson
asks to be read again. A course completion, once recorded, stays: it is a dated fact that
certification relies on, and later edits do not take it away.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, func, or_

from trainer.core import events
from trainer.core.clock import utcnow
from trainer.core.db import get_or_create
from trainer.core.i18n import _
from trainer.core.memo import remember, request_memo
from trainer.courses.knowledge_checks import CheckResult, check_result
from trainer.courses.models import Course, Enrollment, Lesson, LessonProgress
from trainer.extensions import db


class ProgressError(ValueError):
    """A learner action that cannot be recorded (e.g. an answer to a check that does not exist)."""


class NotReached(ProgressError):
    """Completing a lesson whose end the reader has not reached (the course requires it)."""


class EnrollmentFigures:
    """What follows from one user's lesson counts and enrolment in one course.

    Shared by the learner's own CourseStatus and the team report's cells, so both read the same
    percentage and state; a subclass provides `total`, `done` and `enrollment`.
    """

    total: int
    done: int
    enrollment: Enrollment | None

    @property
    def completed_at(self) -> datetime | None:
        return self.enrollment.completed_at if self.enrollment else None

    @property
    def percent(self) -> int:
        if self.completed_at is not None:
            return 100  # a completion stays complete when lessons are added later
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def state(self) -> str:
        """completed, in_progress or not_started."""
        if self.completed_at is not None:
            return "completed"
        return "in_progress" if self.done else "not_started"

    @property
    def assigned(self) -> bool:
        return bool(self.enrollment and self.enrollment.assigned_at)

    @property
    def due_at(self) -> datetime | None:
        return self.enrollment.due_at if self.assigned else None


@dataclass
class CourseStatus(EnrollmentFigures):
    """One user's standing in one course."""

    course: Course
    total: int = 0
    done: int = 0
    enrollment: Enrollment | None = None
    missing: list[Course] = field(default_factory=list)  # prerequisites not completed yet
    prerequisites: list[Course] = field(default_factory=list)  # the ones that can be met

    @property
    def locked(self) -> bool:
        return bool(self.missing)

    def overdue(self, now: datetime) -> bool:
        """Assigned with a due date in the past and not completed."""
        return bool(self.assigned and self.enrollment.is_overdue(now))


def active_lesson_counts(course_ids: list[int]) -> dict[int, int]:
    """Course id → number of lessons readers see."""
    if not course_ids:
        return {}
    rows = db.session.execute(
        db.select(Lesson.course_id, func.count(Lesson.id))
        .where(Lesson.course_id.in_(course_ids), Lesson.retired_at.is_(None))
        .group_by(Lesson.course_id)
    )
    return dict(rows.all())


def done_counts(user_ids: list[int], course_ids: list[int] | None = None) -> dict[tuple, int]:
    """(user id, course id) → lessons completed at their current version."""
    if not user_ids:
        return {}
    query = (
        db.select(LessonProgress.user_id, Lesson.course_id, func.count(Lesson.id))
        .join(
            Lesson,
            and_(
                Lesson.id == LessonProgress.lesson_id,
                Lesson.version == LessonProgress.completed_version,
            ),
        )
        .where(LessonProgress.user_id.in_(user_ids), Lesson.retired_at.is_(None))
        .group_by(LessonProgress.user_id, Lesson.course_id)
    )
    if course_ids is not None:
        query = query.where(Lesson.course_id.in_(course_ids))
    return {(u, c): n for u, c, n in db.session.execute(query)}


def user_enrollments(user: Any) -> dict[int, Enrollment]:
    """Course id → the user's enrolment."""
    return enrollments_of(user.id)


def enrollments_of(user_id: int) -> dict[int, Enrollment]:
    """Course id → the user's enrolment with its course: one query, shared by a GET request's
    panels (the learning panel and the certification evidence)."""

    def load() -> dict[int, Enrollment]:
        rows = db.session.scalars(
            db.select(Enrollment)
            .where(Enrollment.user_id == user_id)
            .options(db.joinedload(Enrollment.course))
        )
        return {e.course_id: e for e in rows}

    return request_memo(_enrollments_key(user_id), load)


def _enrollments_key(user_id: int) -> tuple:
    return ("courses.enrollments", user_id)


@cache
def _lesson_counts_statement() -> Any:
    """The statement of `_lesson_counts`, the user's id and the course ids bound: built once."""
    done_here = and_(
        LessonProgress.lesson_id == Lesson.id,
        LessonProgress.user_id == bindparam("user_id"),
        LessonProgress.completed_version == Lesson.version,
    )
    course_ids = bindparam("course_ids", expanding=True)
    return (
        db.select(Lesson.course_id, func.count(Lesson.id), func.count(LessonProgress.id))
        .outerjoin(LessonProgress, done_here)
        .where(Lesson.course_id.in_(course_ids), Lesson.retired_at.is_(None))
        .group_by(Lesson.course_id)
    )


def _lesson_counts(user: Any, course_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Course id → lessons readers see, and → those the user completed at their current version."""
    if not course_ids:
        return {}, {}
    params = {"user_id": user.id, "course_ids": list(course_ids)}
    rows = db.session.execute(_lesson_counts_statement(), params).all()
    return {c: total for c, total, _ in rows}, {c: done for c, _, done in rows if done}


@cache
def _courses_with_counts_statement() -> Any:
    """The statement of `courses_with_counts`, the user's id a bound parameter: built once per
    process (building it costs more CPU than the database spends running it)."""
    user_id = bindparam("user_id")
    done_here = and_(
        LessonProgress.lesson_id == Lesson.id,
        LessonProgress.user_id == user_id,
        LessonProgress.completed_version == Lesson.version,
    )
    listed = and_(Course.published, Course.retired_at.is_(None))
    enrolled = and_(Enrollment.course_id == Course.id, Enrollment.user_id == user_id)
    return (
        db.select(
            Course,
            func.count(Lesson.id),
            func.count(LessonProgress.id),
            Enrollment,
            listed.label("listed"),
        )
        .outerjoin(Enrollment, enrolled)
        .outerjoin(Lesson, and_(Lesson.course_id == Course.id, Lesson.retired_at.is_(None)))
        .outerjoin(LessonProgress, done_here)
        .where(or_(listed, Enrollment.id.is_not(None)))
        .group_by(Course.id, Enrollment.id)
    )


def courses_with_counts(user: Any) -> tuple[list[Course], dict[int, int], dict[int, int]]:
    """Published, current courses with their readable lessons and those the user completed at
    their current version (course id → count): one GROUP BY query.

    The same statement reads the user's enrolments (in any course: the certification evidence
    counts courses no longer published too) and keeps them for the GET (`enrollments_of`)."""
    rows = db.session.execute(_courses_with_counts_statement(), {"user_id": user.id}).all()
    remember(_enrollments_key(user.id), {e.course_id: e for *_, e, _listed in rows if e})
    rows = [row for row in rows if row.listed]
    totals = {c.id: total for c, total, *_ in rows if total}
    done = {c.id: n for c, _total, n, *_ in rows if n}
    return [c for c, *_ in rows], totals, done


def course_statuses(
    user: Any, courses: list[Course], counts: tuple[dict, dict] | None = None
) -> dict[int, CourseStatus]:
    """Course id → the user's status in each course, in a fixed number of queries (`counts`:
    lesson totals and the user's completions, when the caller read them with the courses)."""
    ids = [c.id for c in courses]
    totals, done = counts if counts is not None else _lesson_counts(user, ids)
    enrollments = user_enrollments(user)
    by_slug = {c.slug: c for c in courses}
    wanted = {s for c in courses for s in c.prerequisites if s not in by_slug}
    if wanted:
        by_slug |= {c.slug: c for c in visible_courses_by_slug(wanted)}
    return {
        course.id: _course_status(
            course, by_slug, enrollments, totals.get(course.id, 0), done.get(course.id, 0)
        )
        for course in courses
    }


def course_status(
    user: Any, course: Course, enrollment: Enrollment | None, total: int, done: int
) -> CourseStatus:
    """`course_statuses` for one course whose lesson counts and enrolment the caller read (the
    lesson reader): reads only the prerequisites with the user's enrolments in them, one query
    when the course has some."""
    by_slug = {course.slug: course}
    enrollments = {course.id: enrollment} if enrollment is not None else {}
    wanted = [s for s in course.prerequisites if s not in by_slug]
    if wanted:
        params = {"user_id": user.id, "slugs": wanted}
        for prerequisite, its_enrollment in db.session.execute(_prerequisites_statement(), params):
            by_slug[prerequisite.slug] = prerequisite
            if its_enrollment is not None:
                enrollments[prerequisite.id] = its_enrollment
    return _course_status(course, by_slug, enrollments, total, done)


@cache
def _prerequisites_statement() -> Any:
    """Published, current courses by slug (`visible_courses_by_slug`) with the user's enrolment
    in each, the user's id and the slugs bound: built once."""
    enrolled = and_(Enrollment.course_id == Course.id, Enrollment.user_id == bindparam("user_id"))
    return (
        db.select(Course, Enrollment)
        .outerjoin(Enrollment, enrolled)
        .where(
            Course.slug.in_(bindparam("slugs", expanding=True)),
            Course.published,
            Course.retired_at.is_(None),
        )
    )


def _course_status(
    course: Course,
    by_slug: dict[str, Course],
    enrollments: dict[int, Enrollment],
    total: int,
    done: int,
) -> CourseStatus:
    """The status in one course, given the courses its prerequisites may name (by slug) and the
    user's enrolments (course id → enrolment) in them."""
    missing = [
        by_slug[slug]
        for slug in course.prerequisites
        if slug in by_slug
        and not (
            (e := enrollments.get(by_slug[slug].id)) is not None and e.completed_at is not None
        )
    ]
    return CourseStatus(
        course=course,
        prerequisites=[by_slug[s] for s in course.prerequisites if s in by_slug],
        total=total,
        done=done,
        enrollment=enrollments.get(course.id),
        missing=missing,
    )


def visible_courses_by_slug(slugs: set[str]) -> list[Course]:
    """Published, current courses with these slugs (prerequisites that can be met)."""
    return list(
        db.session.scalars(
            db.select(Course).where(
                Course.slug.in_(slugs), Course.published, Course.retired_at.is_(None)
            )
        )
    )


def lesson_progress_map(user: Any, lessons: list[Lesson]) -> dict[int, LessonProgress]:
    """Lesson id → the user's progress row, for these lessons."""
    if not lessons:
        return {}
    rows = db.session.scalars(
        db.select(LessonProgress).where(
            LessonProgress.user_id == user.id,
            LessonProgress.lesson_id.in_([ls.id for ls in lessons]),
        )
    )
    return {p.lesson_id: p for p in rows}


def is_done(lesson: Lesson, progress: LessonProgress | None) -> bool:
    """Completed at the lesson's current version."""
    return progress is not None and progress.completed_version == lesson.version


def resume_lesson(
    lessons: list[Lesson], progress: dict[int, LessonProgress], enrollment: Enrollment | None
) -> Lesson | None:
    """Where to continue: the first unread lesson after the last one completed, else the first
    unread lesson; None when every lesson is done."""
    pending = [ls for ls in lessons if not is_done(ls, progress.get(ls.id))]
    if not pending:
        return None
    last_id = enrollment.last_lesson_id if enrollment else None
    positions = {ls.id: index for index, ls in enumerate(lessons)}
    if last_id in positions:
        after = [ls for ls in pending if positions[ls.id] > positions[last_id]]
        if after:
            return after[0]
    return pending[0]


def get_or_create_enrollment(user: Any, course: Course) -> Enrollment:
    """The user's enrolment in the course, created (self-enrolled) if missing."""
    return get_or_create(db.session, Enrollment, user_id=user.id, course_id=course.id)


def _get_or_create_progress(user: Any, lesson: Lesson) -> LessonProgress:
    return get_or_create(
        db.session,
        LessonProgress,
        defaults={"check_answers": {}},
        user_id=user.id,
        lesson_id=lesson.id,
    )


def has_reached(lesson: Lesson, progress: LessonProgress | None) -> bool:
    """May the reader mark the lesson complete: its end was reached at the current version (or
    it was completed at that version), or its course does not ask for reading to the end."""
    return not lesson.course.require_reading or reached_end(lesson, progress)


def reached_end(lesson: Any, progress: Any) -> bool:
    """The end of the lesson's current version was reached, or it was completed at that version
    (`lesson` and `progress`: anything with the columns, a model or a row)."""
    return progress is not None and lesson.version in (
        progress.reached_version,
        progress.completed_version,
    )


def reach_lesson(user: Any, lesson: Lesson) -> None:
    """Record that the reader reached the end of the lesson's current version."""
    if lesson.retired_at is not None:
        raise ProgressError("retired lesson")
    progress = _get_or_create_progress(user, lesson)
    progress.reached_version = lesson.version
    db.session.flush()


def complete_reached_lesson(user: Any, lesson: Lesson) -> tuple[Enrollment, bool]:
    """The reader's "mark complete": refused (NotReached) until the end of the lesson was
    reached when the course asks for it; otherwise `complete_lesson`."""
    progress = db.session.scalar(
        db.select(LessonProgress).where(
            LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id
        )
    )
    if not has_reached(lesson, progress):
        raise NotReached(_("Read the lesson to the end first: then you can mark it complete."))
    return complete_lesson(user, lesson)


def complete_lesson(user: Any, lesson: Lesson) -> tuple[Enrollment, bool]:
    """Record that the user read the lesson's current version; completes the course when it was
    the last one (then the flag is True). Completing again is harmless."""
    if lesson.retired_at is not None:
        raise ProgressError("retired lesson")
    now = utcnow()
    progress = _get_or_create_progress(user, lesson)
    if progress.completed_version != lesson.version:
        progress.completed_at = now
        progress.completed_version = lesson.version
    enrollment = get_or_create_enrollment(user, lesson.course)
    enrollment.started_at = enrollment.started_at or now
    enrollment.last_lesson_id = lesson.id
    enrollment.last_read_at = now
    db.session.flush()
    events.lesson_completed.send(user_id=user.id, lesson_id=lesson.id)
    course_completed = False
    if enrollment.completed_at is None:
        totals, dones = _lesson_counts(user, [lesson.course_id])
        total, done = totals.get(lesson.course_id, 0), dones.get(lesson.course_id, 0)
        if total and done >= total:
            enrollment.completed_at = now
            course_completed = True
    db.session.flush()
    return enrollment, course_completed


def answer_check(user: Any, lesson: Lesson, index: int, chosen: int) -> CheckResult:
    """Store the user's answer to a knowledge check and say whether it was right (ungraded)."""
    if not 0 <= index < len(lesson.checks):
        raise ProgressError("no such check")
    check = lesson.checks[index]
    if not 0 <= chosen < len(check["options"]):
        raise ProgressError("no such option")
    progress = _get_or_create_progress(user, lesson)
    answers = (
        dict(progress.check_answers or {}) if progress.checks_version == lesson.version else {}
    )
    answers[str(index)] = chosen
    progress.check_answers = answers  # a new dict, so the JSON column sees the change
    progress.checks_version = lesson.version
    db.session.flush()
    return check_result(lesson, index, chosen)


def refresh_completions(course: Course) -> int:
    """Complete the enrolments whose users have now read every lesson (after lessons were
    retired, say); returns how many."""
    total = active_lesson_counts([course.id]).get(course.id, 0)
    if not total:
        return 0
    open_enrollments = list(
        db.session.scalars(
            db.select(Enrollment).where(
                Enrollment.course_id == course.id, Enrollment.completed_at.is_(None)
            )
        )
    )
    if not open_enrollments:
        return 0
    done = done_counts([e.user_id for e in open_enrollments], [course.id])
    now, count = utcnow(), 0
    for enrollment in open_enrollments:
        if done.get((enrollment.user_id, course.id), 0) >= total:
            enrollment.completed_at = now
            count += 1
    db.session.flush()
    return count
