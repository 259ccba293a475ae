"""What the agent's pages read: standings and the home panel (the public API is achievements)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from trainer.core.clock import utcnow
from trainer.core.memo import request_memo
from trainer.extensions import db
from trainer.quizzes.attempts import Eligibility, eligibility
from trainer.quizzes.models import Quiz, QuizAttempt

EXPIRING_SOON = timedelta(days=30)


@dataclass
class QuizStanding:
    """A quiz as one agent sees it in lists: can they start, where they stand."""

    quiz: Quiz
    status: Eligibility
    expiring: bool

    @property
    def due(self) -> bool:
        """No valid pass yet (never passed, failed, or expired)."""
        return not (self.status.result and self.status.result.passed)


def all_quizzes() -> list[Quiz]:
    """Every quiz by course and slug (one query, shared by a GET request's panels)."""
    return request_memo(
        "quizzes.all",
        lambda: db.session.scalars(select(Quiz).order_by(Quiz.course_slug, Quiz.slug)).all(),
    )


def user_attempts(user_id: int) -> list[QuizAttempt]:
    """All of a user's attempts by number (one query, shared by a GET request's panels)."""
    return request_memo(
        ("quizzes.attempts", user_id),
        lambda: db.session.scalars(
            select(QuizAttempt).where(QuizAttempt.user_id == user_id).order_by(QuizAttempt.number)
        ).all(),
    )


def standings(user, now: datetime | None = None) -> list[QuizStanding]:
    """Every published quiz with the agent's standing (two queries)."""
    now = now or utcnow()
    quizzes = [q for q in all_quizzes() if q.published]
    attempts = user_attempts(user.id)
    by_quiz: dict[int, list[QuizAttempt]] = defaultdict(list)
    for attempt in attempts:
        by_quiz[attempt.quiz_id].append(attempt)
    rows = []
    for quiz in quizzes:
        status = eligibility(quiz, by_quiz[quiz.id], now)
        result = status.result
        expiring = bool(
            result
            and result.passed
            and result.expires_at
            and result.expires_at - now < EXPIRING_SOON
        )
        rows.append(QuizStanding(quiz, status, expiring))
    return rows


def home_panel(user) -> dict:
    """The agent's home panel: quizzes still to pass and passes expiring within 30 days."""
    rows = standings(user)
    return {
        "due": [r for r in rows if r.due],
        "expiring": [r for r in rows if r.expiring],
        "passed": sum(1 for r in rows if not r.due),
        "total": len(rows),
    }
