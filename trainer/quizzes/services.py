"""What the agent's pages read: standings and the home panel (the public API is achievements)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Select, and_, bindparam, select

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


def quizzes_and_attempts(user_id: int) -> tuple[list[Quiz], list[QuizAttempt]]:
    """Every quiz (by course and slug) and the user's attempts (by number): one query, shared
    by a GET request's panels (the quiz panel and the certification evidence)."""

    def load() -> tuple[list[Quiz], list[QuizAttempt]]:
        rows = db.session.execute(_quizzes_and_attempts_statement(), {"user_id": user_id}).all()
        quizzes = list(dict.fromkeys(quiz for quiz, _attempt in rows))
        attempts = sorted((a for _quiz, a in rows if a is not None), key=lambda a: a.number)
        return quizzes, attempts

    return request_memo(("quizzes.with_attempts", user_id), load)


@cache
def _quizzes_and_attempts_statement() -> Select:
    """The statement of `quizzes_and_attempts`, the user's id a bound parameter: built once per
    process (the home page reads it on every visit)."""
    mine = and_(QuizAttempt.quiz_id == Quiz.id, QuizAttempt.user_id == bindparam("user_id"))
    return (
        select(Quiz, QuizAttempt)
        .outerjoin(QuizAttempt, mine)
        .order_by(Quiz.course_slug, Quiz.slug, QuizAttempt.number)
    )


def standings(user, now: datetime | None = None) -> list[QuizStanding]:
    """Every published quiz with the agent's standing (one query)."""
    now = now or utcnow()
    every, attempts = quizzes_and_attempts(user.id)
    quizzes = [q for q in every if q.published]
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
