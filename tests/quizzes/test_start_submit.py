"""Start and submit read everything before their first write: what happens when a request of
the same agent writes in between (a second tab, a save landing during the submit)."""

from tests.quizzes.conftest import right_fields
from trainer.core.audit import AuditEvent
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
    monkeypatch.setattr(service, "user_attempts", lambda quiz, user: [])
    again = service.start_attempt(quiz, user)
    db.session.commit()
    assert again.id == winner.id
    assert db.session.scalar(db.select(db.func.count()).select_from(QuizAttempt)) == 1
    starts = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "quiz_attempt.start")
    ).all()
    assert len(starts) == 1
