"""Autosave is one check and one upsert; saves racing a submit are graded or refused, never lost."""

import threading
from datetime import datetime

from tests.quizzes.conftest import right_fields
from trainer.extensions import db
from trainer.quizzes import attempts as service
from trainer.quizzes.autosave import AttemptMissing, save_answer
from trainer.quizzes.models import AttemptAnswer, QuizAttempt


def _in_threads(app, jobs: list) -> list:
    """Run each job at once in its own thread, app context and database connection."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), []

    def run(index, job):
        with app.test_request_context():
            try:
                barrier.wait()
                results[index] = job()
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_autosave_is_one_check_and_one_upsert(login_as, make_quiz, count_queries):
    client, user = login_as("agent")
    attempt = service.start_attempt(make_quiz(count=3, bank_size=3), user)
    db.session.commit()
    fields = right_fields(attempt.answers[1])
    url = f"/quizzes/attempts/{attempt.id}/answers"
    client.post(url, json={"slot": 0, "fields": {}})  # warm-up (session touch)
    with count_queries() as counter:
        response = client.post(url, json={"slot": 1, "fields": fields})
    assert response.status_code == 200
    answers = [s for s in counter.statements if "quiz_attempt_answers" in s]
    assert len(answers) == 2, counter.statements  # the check (a join) and the upsert
    assert "ON CONFLICT" in answers[1] and answers[1].lstrip().startswith("INSERT")
    assert counter.count <= 3, counter.statements  # with the signed-in session's own lookup
    db.session.expire_all()
    saved = db.session.scalar(db.select(AttemptAnswer).filter_by(attempt_id=attempt.id, slot=1))
    assert saved.response is not None
    assert saved.saved_at == datetime.fromisoformat(response.get_json()["saved_at"])


def test_save_answer_refuses_strangers_closed_attempts_and_foreign_slots(make_quiz, make_user):
    quiz = make_quiz(count=1, bank_size=1)
    owner, stranger = make_user("agent"), make_user("agent")
    attempt = service.start_attempt(quiz, owner)
    db.session.commit()
    fields = right_fields(attempt.answers[0])
    for attempt_id, user_id in ((attempt.id, stranger.id), (attempt.id + 999, owner.id)):
        try:
            save_answer(attempt_id, user_id, 0, fields)
        except AttemptMissing:
            pass
        else:
            raise AssertionError("a stranger's save was accepted")
    for slot, refusal in ((5, service.AttemptError), (0, None)):
        try:
            save_answer(attempt.id, owner.id, slot, fields)
        except service.AttemptError as error:
            assert refusal is not None and isinstance(error, refusal)
        else:
            assert refusal is None
    db.session.commit()
    service.submit_attempt(service.lock_attempt(attempt.id))
    db.session.commit()
    try:
        save_answer(attempt.id, owner.id, 0, fields)
    except service.AttemptClosed:
        pass
    else:
        raise AssertionError("a save after submit was accepted")
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).score == 100


def test_saves_racing_a_submit_are_graded_or_refused(app, make_quiz, make_user):
    quiz = make_quiz(count=1, bank_size=1)
    user = make_user("agent")
    attempt = service.start_attempt(quiz, user)
    db.session.commit()
    attempt_id, user_id, fields = attempt.id, user.id, right_fields(attempt.answers[0])

    def save():
        try:
            save_answer(attempt_id, user_id, 0, fields)
            outcome = "saved"
        except service.AttemptClosed:
            outcome = "refused"
        db.session.commit()
        return outcome

    def submit():
        won = service.submit_attempt(service.lock_attempt(attempt_id))
        db.session.commit()
        return "submitted" if won else "late"

    outcomes = _in_threads(app, [save, save, submit, save, save])
    assert outcomes[2] == "submitted"
    db.session.expire_all()
    graded = db.session.get(QuizAttempt, attempt_id)
    assert graded.state == "finished"
    # Every acknowledged save is in the grade; the others were refused, not silently dropped.
    assert graded.score == (100 if "saved" in outcomes else 0)
