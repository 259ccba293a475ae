"""Trainer pages of the bank: list, create and edit each type, preview, retire."""

import pytest

from tests.quizzes.conftest import QTYPES
from trainer.extensions import db
from trainer.quizzes.models import Question

FORMS = {
    "single": {
        "choices_-0-text": "对",
        "choices_-0-weight": "100",
        "choices_-0-feedback": "好",
        "choices_-1-text": "错",
        "choices_-1-weight": "0",
    },
    "multi": {
        "choices_-0-text": "甲",
        "choices_-0-weight": "50",
        "choices_-1-text": "乙",
        "choices_-1-weight": "50",
        "choices_-2-text": "丙",
        "choices_-2-weight": "-100",
    },
    "truefalse": {"correct": "false", "feedback_true": "不对", "feedback_false": "对"},
    "matching": {
        "pairs-0-left": "a",
        "pairs-0-right": "1",
        "pairs-1-left": "b",
        "pairs-1-right": "2",
    },
    "shortanswer": {"answers-0-text": "提货码", "answers-0-weight": "100", "case_sensitive": "y"},
    "numerical": {
        "numbers-0-value": "30",
        "numbers-0-tolerance": "1",
        "numbers-0-weight": "100",
        "numbers-1-low": "20",
        "numbers-1-high": "25",
        "numbers-1-weight": "50",
    },
}


def form_data(qtype: str, **extra) -> dict:
    data = {
        "qtype": qtype,
        "title": f"新题 {qtype}",
        "category": "views/test",
        "tags": "甲, 乙",
        "difficulty": "easy",
        "text_format": "markdown",
        "stem": "**题干**",
        "general_feedback": "说明",
        "correct": "true",
    }
    data.update(FORMS[qtype])
    data.update(extra)
    return data


@pytest.mark.parametrize("qtype", QTYPES)
def test_trainer_creates_and_edits_each_type(trainer_client, qtype):
    response = trainer_client.post("/quizzes/bank/new", data=form_data(qtype))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    question = db.session.scalars(db.select(Question)).one()
    assert question.current_version.qtype == qtype and question.tags == ["乙", "甲"]
    page = trainer_client.get(f"/quizzes/bank/{question.id}/edit").get_data(as_text=True)
    assert "新题" in page
    trainer_client.post(f"/quizzes/bank/{question.id}/edit", data=form_data(qtype, stem="改"))
    db.session.expire_all()
    assert db.session.get(Question, question.id).current_version.number == 2
    detail = trainer_client.get(f"/quizzes/bank/{question.id}").get_data(as_text=True)
    assert "v2" in detail and "<strong>" not in detail.split("Preview")[0][:0]


def test_invalid_form_shows_the_reason_and_saves_nothing(trainer_client):
    data = form_data("multi", **{"choices_-2-weight": "0", "choices_-1-weight": "20"})
    response = trainer_client.post("/quizzes/bank/new", data=data)
    assert response.status_code == 200
    assert "100" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Question.id))) == 0


def test_preview_checks_an_answer_without_storing_it(trainer_client, make_question):
    question = make_question("truefalse")
    response = trainer_client.post(f"/quizzes/bank/{question.id}", data={"q0": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "答对" in body


def test_retire_and_restore(trainer_client, make_question):
    question = make_question("single")
    trainer_client.post(f"/quizzes/bank/{question.id}/retire")
    db.session.expire_all()
    assert db.session.get(Question, question.id).retired
    listing = trainer_client.get("/quizzes/bank/?status=retired").get_data(as_text=True)
    assert question.current_version.title in listing
    trainer_client.post(f"/quizzes/bank/{question.id}/restore")
    db.session.expire_all()
    assert not db.session.get(Question, question.id).retired


def test_bank_list_queries_do_not_grow_with_the_bank(trainer_client, make_question, count_queries):
    for i in range(3):
        make_question(QTYPES[i])
    with count_queries() as small:
        trainer_client.get("/quizzes/bank/")
    for i in range(20):
        make_question(QTYPES[i % 6])
    with count_queries() as large:
        assert trainer_client.get("/quizzes/bank/").status_code == 200
    assert large.count == small.count


def test_agents_cannot_open_the_bank(agent_client):
    assert agent_client.get("/quizzes/bank/").status_code == 403
