"""Taking a quiz: start, resume, autosave, server-owned deadlines, idempotent submit, secrecy."""

from datetime import timedelta

import pytest
import time_machine

from tests.conftest import login
from tests.quizzes.conftest import right_fields
from trainer.core.audit import AuditEvent
from trainer.core.clock import utcnow
from trainer.extensions import db
from trainer.quizzes.models import QuizAttempt


def start(client, quiz) -> QuizAttempt:
    response = client.post(f"/quizzes/{quiz.slug}/start")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    attempt_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    db.session.expire_all()
    return db.session.get(QuizAttempt, attempt_id)


def autosave(client, attempt, slot, fields):
    return client.post(
        f"/quizzes/attempts/{attempt.id}/answers", json={"slot": slot, "fields": fields}
    )


def test_start_draws_questions_and_reload_resumes_the_same_attempt(login_as, make_quiz):
    client, _user = login_as("agent")
    quiz = make_quiz(count=4, bank_size=8)
    attempt = start(client, quiz)
    layout = [(a.slot, a.version_id, a.layout) for a in attempt.answers]
    assert len(layout) == 4 and attempt.deadline_at is None
    again = start(client, quiz)
    assert again.id == attempt.id
    assert [(a.slot, a.version_id, a.layout) for a in again.answers] == layout
    page = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert page.count('class="card quiz-question"') == 4


def test_autosave_keeps_the_answer_and_the_page_shows_it(login_as, make_quiz):
    client, _user = login_as("agent")
    attempt = start(client, make_quiz(count=6, shuffle_questions=False))
    answers = {a.slot: a for a in attempt.answers}
    for slot, answer in answers.items():
        response = autosave(client, attempt, slot, right_fields(answer))
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["slot"] == slot
    db.session.expire_all()
    for answer in db.session.get(QuizAttempt, attempt.id).answers:
        assert answer.response and answer.saved_at is not None
    single = next(a for a in answers.values() if a.version.qtype == "single")
    position = right_fields(single)[f"q{single.slot}"][0]
    page = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert f'name="q{single.slot}" value="{position}" checked' in page


def test_the_key_never_reaches_the_browser_before_review(login_as, make_quiz):
    client, _user = login_as("agent")
    quiz = make_quiz(count=6, shuffle_questions=False, review_policy="after_close")
    attempt = start(client, quiz)
    page = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    secrets = [
        "规则说明",
        "半对",
        "答对",
        "答错",
        "接近",
        "不对",
        "提货码",
        "取货*",
        "weight",
        "fraction",
    ]
    for secret in secrets:
        assert secret not in page, secret
    reply = autosave(client, attempt, 0, right_fields(attempt.answers[0])).get_data(as_text=True)
    assert all(s not in reply for s in secrets)
    client.post(f"/quizzes/attempts/{attempt.id}/submit")
    review = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    # Policy: answers only after closing (the agent's own answer may of course show).
    assert "规则说明" not in review and "quiz-right-answer" not in review


def test_review_after_submit_shows_feedback_and_right_answers(login_as, make_quiz):
    client, _user = login_as("agent")
    attempt = start(client, make_quiz(count=6, shuffle_questions=False))
    client.post(f"/quizzes/attempts/{attempt.id}/submit")
    review = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "规则说明" in review  # general feedback of the single-choice question
    assert "正确选项" in review and "提货码" in review


def test_review_policy_never_shows_only_the_score(login_as, make_quiz):
    client, _user = login_as("agent")
    attempt = start(client, make_quiz(count=6, review_policy="never"))
    client.post(f"/quizzes/attempts/{attempt.id}/submit")
    review = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert 'data-testid="review-score"' in review
    assert "题干" not in review and "规则说明" not in review


def test_review_after_close_opens_when_the_quiz_closes(login_as, make_quiz):
    client, _user = login_as("agent")
    closes = utcnow() + timedelta(minutes=10)
    attempt = start(client, make_quiz(count=6, review_policy="after_close", closes_at=closes))
    client.post(f"/quizzes/attempts/{attempt.id}/submit")
    assert "规则说明" not in client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(
        as_text=True
    )
    with time_machine.travel(closes + timedelta(minutes=1), tick=False):
        assert "规则说明" in client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(
            as_text=True
        )


def test_full_marks_pass_and_score(login_as, make_quiz):
    client, _user = login_as("agent")
    attempt = start(client, make_quiz(count=6, pass_mark=100))
    for answer in attempt.answers:
        autosave(client, attempt, answer.slot, right_fields(answer))
    client.post(f"/quizzes/attempts/{attempt.id}/submit")
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt.id)
    assert attempt.score == 100 and attempt.passed and attempt.finished_by == "agent"


def test_deadline_grace_and_late_saves(app, login_as, make_quiz):
    client, _user = login_as("agent")
    start_time = utcnow()
    with time_machine.travel(start_time, tick=False):
        attempt = start(client, make_quiz(count=2, time_limit_minutes=10))
    assert attempt.deadline_at == start_time + timedelta(minutes=10)
    fields = right_fields(attempt.answers[0])
    with time_machine.travel(start_time + timedelta(minutes=10, seconds=30), tick=False):
        assert autosave(client, attempt, 0, fields).status_code == 200  # within the 60 s grace
    with time_machine.travel(start_time + timedelta(minutes=11, seconds=1), tick=False):
        late = client.post(
            f"/quizzes/attempts/{attempt.id}/answers",
            json={"slot": 1, "fields": right_fields(attempt.answers[1])},
            headers={"Accept-Language": "en"},
        )
        assert late.status_code == 409 and "Time is up" in late.get_json()["error"]
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt.id)
    assert attempt.state == "finished" and attempt.finished_by == "timeout"
    assert attempt.submitted_at == attempt.deadline_at
    assert attempt.answers[0].response is not None and attempt.answers[1].response is None
    assert attempt.score == 50.0


def test_grace_period_is_configurable(app, login_as, make_quiz):
    app.config["QUIZ_GRACE_SECONDS"] = 5
    client, _user = login_as("agent")
    start_time = utcnow()
    with time_machine.travel(start_time, tick=False):
        attempt = start(client, make_quiz(count=1, time_limit_minutes=1))
    with time_machine.travel(start_time + timedelta(seconds=66), tick=False):
        assert autosave(client, attempt, 0, right_fields(attempt.answers[0])).status_code == 409


def test_overdue_attempt_is_finalised_when_the_agent_comes_back(login_as, make_quiz):
    client, user = login_as("agent")
    start_time = utcnow()
    with time_machine.travel(start_time, tick=False):
        attempt = start(client, make_quiz(count=2, time_limit_minutes=5))
        autosave(client, attempt, 0, right_fields(attempt.answers[0]))
    with time_machine.travel(start_time + timedelta(hours=2), tick=False):
        login(client, user)  # the session timed out meanwhile
        response = client.get(f"/quizzes/attempts/{attempt.id}")  # reading does not write
        assert response.status_code == 200 and 'data-testid="time-up"' in response.text
        db.session.expire_all()
        assert db.session.get(QuizAttempt, attempt.id).state == "in_progress"
        response = client.post(f"/quizzes/attempts/{attempt.id}/submit")
        assert response.status_code == 302 and response.headers["Location"].endswith("/review")
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).finished_by == "timeout"


def test_reading_pages_of_an_overdue_attempt_writes_nothing(login_as, make_quiz, request):
    client, _user = login_as("agent")
    quiz = make_quiz(count=2, time_limit_minutes=5)
    start_time = utcnow()
    with time_machine.travel(start_time, tick=False):
        attempt = start(client, quiz)
    with time_machine.travel(start_time + timedelta(minutes=7), tick=False):
        request.getfixturevalue("no_writes_on_get")  # fails the test on any GET write
        for url in (
            f"/quizzes/{quiz.slug}",
            f"/quizzes/attempts/{attempt.id}",
            f"/quizzes/attempts/{attempt.id}/review",
            "/quizzes/",
            "/",
        ):
            assert client.get(url).status_code in (200, 302), url


def test_close_overdue_command_finalises_abandoned_attempts(app, runner, login_as, make_quiz):
    client, _user = login_as("agent")
    start_time = utcnow()
    quiz = make_quiz(count=2, time_limit_minutes=5)
    with time_machine.travel(start_time, tick=False):
        attempt = start(client, quiz)
        other_client, _other = login_as("agent")
        running = start(other_client, make_quiz(count=1, time_limit_minutes=60))
    with time_machine.travel(start_time + timedelta(minutes=7), tick=False):
        result = runner.invoke(args=["quiz", "close-overdue"])
    assert result.exit_code == 0 and "closed 1" in result.output
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).finished_by == "scheduler"
    assert db.session.get(QuizAttempt, running.id).state == "in_progress"


def test_double_submit_grades_once(login_as, make_quiz):
    client, _user = login_as("agent")
    attempt = start(client, make_quiz(count=2))
    first = client.post(f"/quizzes/attempts/{attempt.id}/submit")
    second = client.post(f"/quizzes/attempts/{attempt.id}", data={"action": "submit"})
    assert first.status_code == second.status_code == 302
    finishes = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.action == "quiz_attempt.finish", AuditEvent.subject_id == str(attempt.id)
        )
    ).all()
    assert len(finishes) == 1
    assert autosave(client, attempt, 0, {"q0": ["0"]}).status_code == 409


def test_plain_form_saves_and_submits_without_javascript(login_as, make_quiz):
    client, _user = login_as("agent")
    attempt = start(client, make_quiz(count=6, shuffle_questions=False))
    data = {}
    for answer in attempt.answers:
        data.update(right_fields(answer))
    response = client.post(f"/quizzes/attempts/{attempt.id}", data={**data, "action": "save"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{attempt.id}")
    db.session.expire_all()
    assert all(a.response for a in db.session.get(QuizAttempt, attempt.id).answers)
    client.post(f"/quizzes/attempts/{attempt.id}", data={**data, "action": "submit"})
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).score == 100


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"slot": "0", "fields": {}},
        {"slot": 0, "fields": {"q0": ["99"]}},
        {"slot": 77, "fields": {}},
        [1],
        "x",
        {"slot": 10**30, "fields": {}},
        {"slot": -1, "fields": {}},
        {"slot": True, "fields": {}},
    ],
)
def test_bad_autosave_gets_a_clear_error_and_changes_nothing(login_as, make_quiz, body):
    client, _user = login_as("agent")
    attempt = start(client, make_quiz(count=1, bank_size=1))  # one single-choice question
    response = client.post(f"/quizzes/attempts/{attempt.id}/answers", json=body)
    assert response.status_code == 400 and response.get_json()["error"]
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).answers[0].response is None


def test_plain_form_ignores_field_names_with_non_ascii_digits(login_as, make_quiz):
    client, _user = login_as("agent")
    attempt = start(client, make_quiz(count=1, bank_size=1))
    response = client.post(f"/quizzes/attempts/{attempt.id}", data={"q\u00b2": "1", "q٠": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).answers[0].response is None


def test_other_peoples_attempts_are_not_found(login_as, make_quiz):
    client, _user = login_as("agent")
    attempt = start(client, make_quiz(count=1))
    intruder, _other = login_as("agent")
    assert intruder.get(f"/quizzes/attempts/{attempt.id}").status_code == 404
    assert intruder.get(f"/quizzes/attempts/{attempt.id}/review").status_code == 404
    assert autosave(intruder, attempt, 0, {"q0": ["0"]}).status_code == 404
    assert intruder.post(f"/quizzes/attempts/{attempt.id}/submit").status_code == 404


def test_attempt_allowance_and_wait_between_attempts(login_as, make_quiz):
    client, user = login_as("agent")
    quiz = make_quiz(count=1, attempts_allowed=2, wait_minutes=30)
    now = utcnow()
    with time_machine.travel(now, tick=False):
        first = start(client, quiz)
        client.post(f"/quizzes/attempts/{first.id}/submit")
        refused = client.post(f"/quizzes/{quiz.slug}/start", follow_redirects=True)
        assert "next attempt" in refused.get_data(as_text=True) or "下一次" in refused.get_data(
            as_text=True
        )
    with time_machine.travel(now + timedelta(minutes=31), tick=False):
        login(client, user)
        second = start(client, quiz)
        assert second.number == 2
        client.post(f"/quizzes/attempts/{second.id}/submit")
    with time_machine.travel(now + timedelta(days=1), tick=False):
        login(client, user)
        response = client.post(f"/quizzes/{quiz.slug}/start")
        assert response.headers["Location"].endswith(f"/quizzes/{quiz.slug}")


def test_a_quiz_the_bank_cannot_fill_refuses_to_start(login_as, make_quiz, make_question):
    client, _user = login_as("agent")
    quiz = make_quiz(count=2)
    from trainer.quizzes import bank
    from trainer.quizzes.models import Question

    for question in db.session.scalars(db.select(Question)).all():
        bank.retire_question(question, actor=None)
    db.session.commit()
    response = client.post(f"/quizzes/{quiz.slug}/start", follow_redirects=True)
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count(QuizAttempt.id))) == 0


def test_an_edited_question_keeps_the_drawn_version_in_the_attempt(login_as, make_quiz):
    from trainer.quizzes import bank

    client, _user = login_as("agent")
    attempt = start(client, make_quiz(count=1, bank_size=1))
    question = attempt.answers[0].version.question
    spec = bank.question_spec(question)
    spec.stem = "改过的题干"
    bank.save_question(spec, question=question)
    db.session.commit()
    page = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert "改过的题干" not in page and "题干 single" in page
