"""Start and submit read everything before their first write: what happens when a request of
the same agent writes in between (a second tab, a save landing during the submit)."""

from datetime import timedelta

import pytest
import time_machine

from tests.quizzes.conftest import right_fields
from trainer.core.audit import AuditEvent
from trainer.core.clock import utcnow
from trainer.extensions import db
from trainer.quizzes import attempts as service
from trainer.quizzes.autosave import save_answer
from trainer.quizzes.models import QuizAttempt


def test_a_save_landing_between_the_read_and_the_update_is_graded(
    make_quiz, make_user, monkeypatch
):
    quiz = make_quiz(count=2, bank_size=2)
    user = make_user("agent")
    attempt = service.start_attempt(quiz, user)
    db.session.commit()
    first, second = attempt.answers
    save_answer(attempt.id, user.id, first.slot, right_fields(first))
    db.session.commit()
    read_sheet = service._read_answer_sheet

    def read_then_a_save_lands(attempt_id):
        sheet = read_sheet(attempt_id)  # sees one right answer
        save_answer(attempt_id, user.id, second.slot, right_fields(second))
        return sheet

    monkeypatch.setattr(service, "_read_answer_sheet", read_then_a_save_lands)
    assert service.submit_attempt(attempt) is True
    db.session.commit()
    db.session.expire_all()
    graded = db.session.get(QuizAttempt, attempt.id)
    assert graded.state == "finished"
    assert graded.score == 100 and graded.passed
    assert [a.fraction for a in graded.answers] == [1.0, 1.0]


def test_submit_keeps_the_loaded_objects_in_step(make_quiz, make_user):
    quiz = make_quiz(count=3)
    user = make_user("agent")
    attempt = service.start_attempt(quiz, user)
    db.session.commit()
    loaded = list(attempt.answers)
    save_answer(attempt.id, user.id, loaded[0].slot, right_fields(loaded[0]))
    assert service.submit_attempt(attempt, by="agent") is True
    assert attempt.state == "finished" and attempt.finished_by == "agent"
    assert attempt.score == round(100 / 3, 2) and attempt.passed is False
    assert [a.fraction for a in loaded] == [1.0, 0.0, 0.0]
    assert service.submit_attempt(attempt) is False  # the second submit changes nothing
    db.session.commit()
    finishes = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "quiz_attempt.finish")
    ).all()
    assert [e.data["score"] for e in finishes] == [round(100 / 3, 2)]


def test_a_start_that_loses_the_attempt_number_resumes_the_winner(
    make_quiz, make_user, monkeypatch
):
    quiz = make_quiz(count=2)
    user = make_user("agent")
    winner = service.start_attempt(quiz, user)
    db.session.commit()
    # The other tab read the attempts before the winner's insert: it too picks number 1.
    monkeypatch.setattr(service, "attempt_history", lambda quiz, user, **_: [])
    again = service.start_attempt(quiz, user)
    db.session.commit()
    assert again.id == winner.id
    assert db.session.scalar(db.select(db.func.count()).select_from(QuizAttempt)) == 1
    starts = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "quiz_attempt.start")
    ).all()
    assert len(starts) == 1


def _after_first_write(statements: list[str]) -> list[str]:
    """The statements from the first INSERT/UPDATE on: what runs holding SQLite's write lock."""
    verbs = [s.split(None, 1)[0].upper() for s in statements]
    first = next(i for i, verb in enumerate(verbs) if verb in ("INSERT", "UPDATE"))
    return statements[first:]


def _heads(statements: list[str]) -> list[str]:
    """The first three words of each statement."""
    return [" ".join(s.split()[:3]) for s in statements]


def test_start_and_submit_read_everything_before_their_first_write(
    login_as, make_quiz, count_queries
):
    client, _user = login_as("agent")
    client.get("/")
    quiz = make_quiz(count=4, bank_size=8)
    with count_queries() as start:
        response = client.post(f"/quizzes/{quiz.slug}/start")
    assert response.status_code == 302
    assert _heads(_after_first_write(start.statements)) == [
        "INSERT INTO quiz_attempts",
        "INSERT INTO quiz_attempt_answers",
        "INSERT INTO audit_events",
    ]
    attempt_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    with count_queries() as submit:
        assert client.post(f"/quizzes/attempts/{attempt_id}/submit").status_code == 302
    held = _after_first_write(submit.statements)
    assert _heads(held)[:4] == [
        "UPDATE quiz_attempts SET",
        "SELECT quiz_attempt_answers.id, quiz_attempt_answers.response",
        "UPDATE quiz_attempt_answers SET",
        "INSERT INTO audit_events",
    ]
    # The marking's reads (versions' content, the pass mark) all come before the write lock.
    assert not any("quiz_question_versions.data" in s or "pass_mark" in s for s in held)
    assert any("quiz_question_versions.data" in s for s in submit.statements)
    assert db.session.get(QuizAttempt, attempt_id).state == "finished"


def test_a_start_finalising_an_overdue_attempt_counts_it_as_finished(make_quiz, make_user):
    quiz = make_quiz(count=1, time_limit_minutes=5, attempts_allowed=2, wait_minutes=30)
    user = make_user("agent")
    began = utcnow()
    with time_machine.travel(began, tick=False):
        first = service.start_attempt(quiz, user)
        db.session.commit()
    # Back after the deadline: the start finalises the first attempt at its deadline, and the
    # wait between attempts runs from that deadline, as if it had been submitted then.
    with time_machine.travel(began + timedelta(minutes=20), tick=False):
        with pytest.raises(service.AttemptError, match="next attempt|下一次"):
            service.start_attempt(quiz, user)
        db.session.commit()
    db.session.expire_all()
    finished = db.session.get(QuizAttempt, first.id)
    assert (finished.state, finished.finished_by) == ("finished", "timeout")
    assert finished.submitted_at == finished.deadline_at
    with time_machine.travel(began + timedelta(minutes=36), tick=False):
        second = service.start_attempt(quiz, user)
        db.session.commit()
    assert second.number == 2


def test_eligibility_reads_the_same_from_rows_as_from_the_attempts(make_quiz, make_user):
    quiz = make_quiz(count=1, attempts_allowed=3, validity_days=30, grading_method="average")
    user = make_user("agent")
    began = utcnow() - timedelta(days=100)
    for day, score in [(0, 90.0), (1, 50.0), (40, 85.0), (41, None), (45, 95.0)]:
        number = len(service.attempt_history(quiz, user)) + 1
        at = began + timedelta(days=day)
        db.session.add(
            QuizAttempt(
                quiz_id=quiz.id,
                user_id=user.id,
                number=number,
                state="in_progress" if score is None else "finished",
                started_at=at,
                submitted_at=None if score is None else at + timedelta(minutes=5),
                score=score,
            )
        )
        db.session.commit()
        for now in (at + timedelta(hours=1), at + timedelta(days=35)):
            rows = service.eligibility(quiz, service.attempt_history(quiz, user), now)
            objects = service.eligibility(quiz, service.user_attempts(quiz, user), now)
            assert (rows.can_start, rows.reason, rows.attempts_left, rows.result) == (
                objects.can_start,
                objects.reason,
                objects.attempts_left,
                objects.result,
            )
            assert getattr(rows.in_progress, "id", None) == getattr(objects.in_progress, "id", None)


def test_an_unlimited_quiz_reads_only_the_running_and_the_latest_attempt(make_quiz, make_user):
    quiz = make_quiz(count=1)  # no allowance, no wait: the history cannot refuse a start
    user = make_user("agent")
    for _ in range(4):
        service.submit_attempt(service.start_attempt(quiz, user))
        db.session.commit()
    running = service.start_attempt(quiz, user)
    db.session.commit()
    assert running.number == 5
    assert service.start_attempt(quiz, user).id == running.id  # resumed, not a sixth
    rows = service.attempt_history(quiz, user, running_and_latest=True)
    assert [(r.number, r.state) for r in rows] == [(5, "in_progress")]
    service.submit_attempt(running)
    db.session.commit()
    assert [r.number for r in service.attempt_history(quiz, user, running_and_latest=True)] == [5]
    assert service.start_attempt(quiz, user).number == 6
    assert len(service.attempt_history(quiz, user)) == 6
