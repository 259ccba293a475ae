"""Lookup helpers that load a record and check who may see it, in one place."""

from flask import abort
from sqlalchemy import select

from trainer.extensions import db
from trainer.quizzes.attempts import lock_attempt
from trainer.quizzes.models import Question, Quiz, QuizAttempt


def get_attempt_or_404(attempt_id: int, user) -> QuizAttempt:
    """The user's own attempt; other people's attempts do not exist for them."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        abort(404)
    return attempt


def lock_attempt_or_404(attempt_id: int, user) -> QuizAttempt:
    """The user's own attempt, row-locked until the request commits (saves, submit)."""
    attempt = lock_attempt(attempt_id)
    if attempt is None or attempt.user_id != user.id:
        abort(404)
    return attempt


def get_published_quiz_or_404(slug: str) -> Quiz:
    """A published quiz by slug."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug, Quiz.published.is_(True)))
    if quiz is None:
        abort(404)
    return quiz


def get_question_or_404(question_id: int) -> Question:
    """A bank question (trainers see every question)."""
    question = db.session.get(Question, question_id)
    if question is None or question.current_version is None:
        abort(404)
    return question
