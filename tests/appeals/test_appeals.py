"""Appeals: once per item with a reason, oldest-first queue, keep or change, rescoring, audit."""

import pytest

from tests.conftest import login
from tests.roleplay.conftest import say, start_chat
from trainer.appeals.models import CHANGED, KEPT, Appeal
from trainer.core.audit import AuditEvent
from trainer.core.jobmodels import JobRun
from trainer.extensions import db
from trainer.notifications.models import Notification
from trainer.quizzes.attempts import start_attempt, submit_attempt
from trainer.quizzes.models import AttemptAnswer
from trainer.roleplay.models import RoleplaySession


@pytest.fixture
def graded_session(app, make_user, make_scenario, clock):
    """An agent's graded role-play (no empathy: the judged item scores low)."""
    make_scenario()
    agent = make_user("agent")
    client = app.test_client()
    login(client, agent)
    session_id = start_chat(client, "tiny-parcel")
    clock.shift(10)
    say(client, session_id, "请发一下照片。")
    client.post(f"/roleplay/sessions/{session_id}/end")
    db.session.expire_all()
    return client, agent, db.session.get(RoleplaySession, session_id)


def _appeals():
    return list(db.session.scalars(db.select(Appeal)))


def test_an_item_is_appealed_once_with_a_reason(app, graded_session, outbox):
    client, agent, session = graded_session
    url = f"/appeals/roleplay/{session.id}/empathy"
    assert client.get(url).status_code == 200
    assert client.post(url, data={"reason": "  "}).status_code == 200
    assert _appeals() == []
    assert client.post(url, data={"reason": "我道歉了"}).status_code == 302
    assert client.post(url, data={"reason": "again"}).status_code == 200
    assert len(_appeals()) == 1
    assert (
        client.post(f"/appeals/roleplay/{session.id}/nope", data={"reason": "x"}).status_code == 302
    )
    assert len(_appeals()) == 1


def test_someone_elses_session_cannot_be_appealed(app, graded_session, make_user):
    _client, _agent, session = graded_session
    other = make_user("agent")
    client = app.test_client()
    login(client, other)
    response = client.post(f"/appeals/roleplay/{session.id}/empathy", data={"reason": "x"})
    assert response.status_code == 404
    assert _appeals() == []


def test_trainer_changes_the_score_through_the_override(app, graded_session, login_as, outbox):
    client, agent, session = graded_session
    before_total = session.grade.total
    client.post(f"/appeals/roleplay/{session.id}/empathy", data={"reason": "我道歉了"})
    trainer_client, trainer = login_as("trainer")
    appeal = _appeals()[0]
    assert f"/appeals/{appeal.id}" in trainer_client.get("/appeals/").get_data(as_text=True)
    page = trainer_client.get(f"/appeals/{appeal.id}").get_data(as_text=True)
    assert "我道歉了" in page and "请发一下照片" in page  # reason and transcript
    no_comment = {"decision": "change", "score": "5", "comment": ""}
    assert trainer_client.post(f"/appeals/{appeal.id}", data=no_comment).status_code == 200
    bad = {"decision": "change", "score": "9", "comment": "ok"}
    assert trainer_client.post(f"/appeals/{appeal.id}", data=bad).status_code == 200
    data = {"decision": "change", "score": "5", "comment": "确有道歉"}
    assert trainer_client.post(f"/appeals/{appeal.id}", data=data).status_code == 302
    db.session.expire_all()
    appeal = db.session.get(Appeal, appeal.id)
    grade = db.session.get(RoleplaySession, session.id).grade
    assert appeal.status == CHANGED and appeal.after_score == 5
    assert grade.total > before_total
    assert [o.score for o in grade.overrides if o.item_id == "empathy"] == [5]
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"appeal.file", "appeal.decide", "roleplay.override"} <= actions
    kinds = [n.kind for n in db.session.scalars(db.select(Notification))]
    assert kinds.count("appeal_answered") == 1 and "grade_overridden" not in kinds
    assert (
        db.session.scalar(
            db.select(JobRun).where(JobRun.name == "certification.evaluate_agent")
        ).status
        == "done"
    )
    # answered once: a second decision is refused
    again = {"decision": "keep", "comment": "no"}
    trainer_client.post(f"/appeals/{appeal.id}", data=again)
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status == CHANGED


def test_keeping_the_marking_leaves_the_grade(app, graded_session, login_as, outbox):
    client, _agent, session = graded_session
    total = session.grade.total
    client.post(f"/appeals/roleplay/{session.id}/empathy", data={"reason": "我道歉了"})
    trainer_client, _ = login_as("trainer")
    appeal = _appeals()[0]
    data = {"decision": "keep", "comment": "没有道歉"}
    assert trainer_client.post(f"/appeals/{appeal.id}", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status == KEPT
    assert db.session.get(RoleplaySession, session.id).grade.total == total
    mine = client.get("/appeals/mine").get_data(as_text=True)
    assert "没有道歉" in mine


def test_agents_cannot_answer_appeals(app, graded_session):
    client, _agent, session = graded_session
    client.post(f"/appeals/roleplay/{session.id}/empathy", data={"reason": "x"})
    appeal = _appeals()[0]
    assert client.get("/appeals/").status_code == 403
    assert (
        client.post(f"/appeals/{appeal.id}", data={"decision": "keep", "comment": "x"}).status_code
        == 403
    )


def test_quiz_question_appeal_rescores_the_attempt(app, make_user, make_quiz, login_as, outbox):
    quiz = make_quiz(count=2, pass_mark=50)
    agent = make_user("agent")
    attempt = start_attempt(quiz, agent)
    db.session.commit()
    submit_attempt(attempt)  # nothing answered: 0 points
    db.session.commit()
    assert attempt.score == 0 and not attempt.passed
    client = app.test_client()
    login(client, agent)
    review = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert f"/appeals/quiz/{attempt.id}/0" in review
    assert (
        client.post(f"/appeals/quiz/{attempt.id}/0", data={"reason": "答案有歧义"}).status_code
        == 302
    )
    appeal = _appeals()[0]
    trainer_client, _ = login_as("trainer")
    assert "答案有歧义" in trainer_client.get(f"/appeals/{appeal.id}").get_data(as_text=True)
    data = {"decision": "change", "score": "1.0", "comment": "题目有歧义，给满分"}
    assert trainer_client.post(f"/appeals/{appeal.id}", data=data).status_code == 302
    db.session.expire_all()
    attempt = db.session.get(type(attempt), attempt.id)
    assert attempt.score == 50 and attempt.passed
    fractions = db.session.scalars(
        db.select(AttemptAnswer.fraction).where(AttemptAnswer.attempt_id == attempt.id)
    ).all()
    assert sorted(fractions) == [0.0, 1.0]
    assert "quiz.mark_change" in set(db.session.scalars(db.select(AuditEvent.action)))


def test_changed_appeals_are_counted_per_item_for_calibration(
    app, graded_session, login_as, outbox
):
    from trainer.roleplay.appeals import changed_by_item

    client, _agent, session = graded_session
    client.post(f"/appeals/roleplay/{session.id}/empathy", data={"reason": "我道歉了"})
    client.post(f"/appeals/roleplay/{session.id}/photos", data={"reason": "问了照片"})
    trainer_client, _ = login_as("trainer")
    first, second = _appeals()
    trainer_client.post(
        f"/appeals/{first.id}", data={"decision": "change", "score": "4", "comment": "ok"}
    )
    trainer_client.post(f"/appeals/{second.id}", data={"decision": "keep", "comment": "no"})
    assert changed_by_item() == {(session.scenario_id, "empathy"): 1}


def test_grade_ready_and_a_changed_review_notify_the_agent(app, graded_session, login_as, outbox):
    from trainer.roleplay import review

    _client, agent, session = graded_session
    kinds = lambda: [  # noqa: E731
        n.kind
        for n in db.session.scalars(db.select(Notification).where(Notification.user_id == agent.id))
    ]
    assert kinds() == ["roleplay_graded"]
    _trainer_client, trainer = login_as("trainer")
    review.save_review(session.grade, trainer, {"empathy": review.ItemDecision(5, "有道歉")})
    db.session.commit()
    assert kinds() == ["roleplay_graded", "grade_overridden"]
    row = db.session.scalar(db.select(Notification).where(Notification.kind == "grade_overridden"))
    assert row.link == f"/roleplay/sessions/{session.id}/result"
