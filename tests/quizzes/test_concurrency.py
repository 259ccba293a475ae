"""Concurrent double submit and save-vs-submit races on PostgreSQL: exactly one grade."""

import os
import threading

import pytest

from tests.quizzes.conftest import right_fields
from trainer.accounts.models import User
from trainer.core.audit import AuditEvent
from trainer.extensions import db
from trainer.quizzes import attempts as service
from trainer.quizzes.models import Quiz, QuizAttempt

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="row locks need PostgreSQL"
)


def _in_threads(app, work, n: int) -> list:
    """Run `work()` in `n` threads at once, each with its own app context and connection."""
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        with app.test_request_context():
            try:
                barrier.wait()
                results.append(work())
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return results


def test_simultaneous_submits_grade_exactly_once(app, make_quiz, make_user):
    quiz = make_quiz(count=3)
    user = make_user("agent")
    attempt_id = service.start_attempt(quiz, user).id
    db.session.commit()

    def submit():
        attempt = service.lock_attempt(attempt_id)
        won = service.submit_attempt(attempt)
        db.session.commit()
        return won

    results = _in_threads(app, submit, 6)
    assert sorted(results) == [False] * 5 + [True]
    db.session.expire_all()
    finishes = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "quiz_attempt.finish")
    ).all()
    assert len(finishes) == 1


def test_a_save_racing_a_submit_is_either_graded_or_refused(app, make_quiz, make_user):
    quiz = make_quiz(count=1, bank_size=1)
    user = make_user("agent")
    attempt = service.start_attempt(quiz, user)
    db.session.commit()
    attempt_id, fields = attempt.id, right_fields(attempt.answers[0])

    def save_or_submit(kind=iter(["save", "submit"] * 4)):
        mine = next(kind)
        locked = service.lock_attempt(attempt_id)
        try:
            if mine == "save":
                service.save_fields(locked, {0: fields})
                outcome = "saved"
            else:
                outcome = "submitted" if service.submit_attempt(locked) else "late"
        except service.AttemptClosed:
            outcome = "refused"
        db.session.commit()
        return outcome

    outcomes = _in_threads(app, save_or_submit, 2)
    db.session.expire_all()
    graded = db.session.get(QuizAttempt, attempt_id)
    assert graded.state == "finished"
    if "saved" in outcomes:  # acknowledged before the submit: it must be in the grade
        assert graded.score == 100
    else:
        assert graded.score == 0


def test_simultaneous_starts_make_one_attempt(app, make_quiz, make_user):
    quiz = make_quiz(count=3)
    user = make_user("agent")
    quiz_id, user_id = quiz.id, user.id

    def start():
        attempt_id = service.start_attempt(
            db.session.get(Quiz, quiz_id), db.session.get(User, user_id)
        ).id
        db.session.commit()
        return attempt_id

    results = _in_threads(app, start, 6)
    assert len(set(results)) == 1
    db.session.expire_all()
    attempts = db.session.scalars(db.select(QuizAttempt).where(QuizAttempt.user_id == user_id))
    assert [a.id for a in attempts] == results[:1]
