"""The question navigator: review flags travel with the autosave and survive a reload."""

import pytest

from tests.quizzes.conftest import right_fields
from tests.quizzes.test_attempts import autosave, start
from trainer.extensions import db
from trainer.quizzes.models import AttemptAnswer, QuizAttempt


def _flags(attempt_id: int) -> dict[int, bool]:
    db.session.expire_all()
    return {a.slot: a.flagged for a in db.session.get(QuizAttempt, attempt_id).answers}


def test_flag_is_saved_with_the_answer_and_kept_when_not_mentioned(login_as, make_quiz):
    client, _user = login_as("agent")
    attempt = start(client, make_quiz(count=3, shuffle_questions=False))
    url = f"/quizzes/attempts/{attempt.id}/answers"
    response = client.post(url, json={"slot": 1, "fields": {}, "flagged": True})
    assert response.status_code == 200
    assert _flags(attempt.id) == {0: False, 1: True, 2: False}
    # An answer saved without saying (an older page still open) leaves the flag alone.
    answer = db.session.scalar(db.select(AttemptAnswer).filter_by(attempt_id=attempt.id, slot=1))
    assert autosave(client, attempt, 1, right_fields(answer)).status_code == 200
    assert _flags(attempt.id)[1] is True
    client.post(url, json={"slot": 1, "fields": right_fields(answer), "flagged": False})
    assert _flags(attempt.id)[1] is False


def test_flag_save_is_still_one_check_and_one_upsert(login_as, make_quiz, count_queries):
    client, _user = login_as("agent")
    attempt = start(client, make_quiz(count=2, bank_size=2))
    url = f"/quizzes/attempts/{attempt.id}/answers"
    client.post(url, json={"slot": 0, "fields": {}})  # warm-up (session touch)
    with count_queries() as counter:
        response = client.post(url, json={"slot": 1, "fields": {}, "flagged": True})
    assert response.status_code == 200
    assert counter.count <= 3, counter.statements


@pytest.mark.parametrize("flagged", ["yes", 1, [True], {"x": 1}])
def test_a_flag_that_is_not_a_boolean_is_refused(login_as, make_quiz, flagged):
    client, _user = login_as("agent")
    attempt = start(client, make_quiz(count=1, bank_size=1))
    url = f"/quizzes/attempts/{attempt.id}/answers"
    response = client.post(url, json={"slot": 0, "fields": {}, "flagged": flagged})
    assert response.status_code == 400 and response.get_json()["error"]
    assert _flags(attempt.id) == {0: False}


def test_the_page_shows_navigator_states_after_reload(login_as, make_quiz):
    client, _user = login_as("agent")
    attempt = start(client, make_quiz(count=3, shuffle_questions=False))
    answers = {a.slot: a for a in attempt.answers}
    autosave(client, attempt, 0, right_fields(answers[0]))
    client.post(
        f"/quizzes/attempts/{attempt.id}/answers", json={"slot": 2, "fields": {}, "flagged": True}
    )
    page = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert 'data-testid="question-navigator"' in page
    assert 'class="quiz-nav-item is-answered"' in page  # question 1
    assert 'class="quiz-nav-item is-flagged"' in page  # question 3, flagged, unanswered
    assert 'name="flag2" value="1" data-flag checked' in page
    assert 'name="flag0" value="1" data-flag>' in page
    assert "已答 1 / 3 题" in page  # the agent reads Chinese


def test_plain_form_saves_the_flags_too(login_as, make_quiz):
    client, _user = login_as("agent")
    attempt = start(client, make_quiz(count=3, shuffle_questions=False))
    response = client.post(f"/quizzes/attempts/{attempt.id}", data={"flag1": "1", "action": "save"})
    assert response.status_code == 302
    assert _flags(attempt.id) == {0: False, 1: True, 2: False}
    client.post(f"/quizzes/attempts/{attempt.id}", data={"action": "save"})
    assert _flags(attempt.id) == {0: False, 1: False, 2: False}
