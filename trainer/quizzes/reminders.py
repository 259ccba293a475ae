"""Quiz validity reminders (registered with notifications): a pass expiring within 14 days."""

from collections import defaultdict
from datetime import datetime, timedelta

from trainer.accounts.models import User
from trainer.extensions import db
from trainer.notifications.reminders import local_day as _local_day
from trainer.notifications.services import notify, path_for
from trainer.quizzes.models import Quiz, QuizAttempt
from trainer.quizzes.results import current_result

QUIZ_EXPIRY_NOTICE = timedelta(days=14)


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
