"""Daily reminders: courses due in 3 days or overdue, quiz passes expiring, reviews waiting."""

from collections import defaultdict
from datetime import datetime, timedelta

from trainer.accounts.models import User
from trainer.core.jobs import org_local_time
from trainer.courses.models import Course, Enrollment
from trainer.extensions import db
from trainer.notifications.services import notify, path_for
from trainer.quizzes.models import Quiz, QuizAttempt
from trainer.quizzes.results import current_result

DUE_SOON_DAYS = 3
QUIZ_EXPIRY_NOTICE = timedelta(days=14)


def _local_day(moment: datetime) -> str:
    """The org-zone date as yyyy-mm-dd (read the same in both languages)."""
    return org_local_time(moment).date().isoformat()


def course_reminders(now: datetime) -> int:
    """Agents whose assigned course is due in 3 (local) days, or overdue: one reminder each."""
    soon_day = (org_local_time(now) + timedelta(days=DUE_SOON_DAYS)).date()
    rows = db.session.execute(
        db.select(Enrollment, Course, User)
        .join(Course, Course.id == Enrollment.course_id)
        .join(User, User.id == Enrollment.user_id)
        .where(
            Enrollment.assigned_at.is_not(None),
            Enrollment.due_at.is_not(None),
            Enrollment.completed_at.is_(None),
            User.active,
        )
    ).all()
    told = 0
    for enrollment, course, user in rows:
        context = {"course": course.title, "due": _local_day(enrollment.due_at)}
        link = path_for("courses.course", slug=course.slug)
        due_tag = enrollment.due_at.date().isoformat()
        if enrollment.due_at <= now:
            once = f"overdue:{enrollment.id}:{due_tag}"
            told += notify(user, "course_overdue", link=link, once=once, **context) is not None
        elif org_local_time(enrollment.due_at).date() == soon_day:
            once = f"due3:{enrollment.id}:{due_tag}"
            told += notify(user, "course_due_soon", link=link, once=once, **context) is not None
    return told


def quiz_expiry_reminders(now: datetime) -> int:
    """Agents whose quiz pass expires within 14 days: one reminder per pass."""
    quizzes = {q.id: q for q in db.session.scalars(db.select(Quiz).where(Quiz.validity_days > 0))}
    if not quizzes:
        return 0
    attempts: dict[tuple[int, int], list[QuizAttempt]] = defaultdict(list)
    for attempt in db.session.scalars(
        db.select(QuizAttempt).where(QuizAttempt.quiz_id.in_(quizzes))
    ):
        attempts[(attempt.user_id, attempt.quiz_id)].append(attempt)
    told = 0
    for (user_id, quiz_id), rows in attempts.items():
        quiz = quizzes[quiz_id]
        result = current_result(quiz, rows, now)
        if not result.passed or result.expires_at is None:
            continue
        if not now < result.expires_at <= now + QUIZ_EXPIRY_NOTICE:
            continue
        user = db.session.get(User, user_id)
        if user is None or not user.active:
            continue
        once = f"quiz-expiring:{user_id}:{quiz_id}:{result.expires_at.date().isoformat()}"
        context = {"quiz": quiz.title, "date": _local_day(result.expires_at)}
        link = path_for("quiz_attempts.quiz", slug=quiz.slug)
        told += notify(user, "quiz_expiring", link=link, once=once, **context) is not None
    return told


def review_backlog(now: datetime) -> int:
    """Trainers (and admins) told once a day how many role-plays wait for review."""
    from trainer.roleplay.review import pending_counts

    waiting, flagged = pending_counts()
    if not waiting:
        return 0
    staff = db.session.scalars(
        db.select(User).where(User.role.in_(("trainer", "admin")), User.active)
    )
    link = path_for("roleplay_review.queue")
    told = 0
    for user in staff:
        once = f"reviews:{user.id}:{_local_day(now)}"
        context = {"count": waiting, "flagged": flagged}
        told += notify(user, "reviews_waiting", link=link, once=once, **context) is not None
    return told


def run_all(now: datetime) -> dict[str, int]:
    """Every daily reminder; returns how many were told of each."""
    return {
        "courses": course_reminders(now),
        "quizzes": quiz_expiry_reminders(now),
        "reviews": review_backlog(now),
    }
