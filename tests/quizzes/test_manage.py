"""Trainers create and edit quizzes; the home panel and demo data for agents."""

from datetime import timedelta

from trainer.core.clock import utcnow
from trainer.extensions import db
from trainer.quizzes.models import Quiz, QuizAttempt
from trainer.quizzes.quizdefs import QuizError, QuizSettings, save_quiz


def quiz_form(**extra):
    data = {
        "slug": "new-quiz",
        "title_zh": "新测验",
        "title_en": "New quiz",
        "rules-0-count": "2",
        "rules-0-category": "compliance/test",
        "attempts_allowed": "3",
        "wait_minutes": "0",
        "pass_mark": "80",
        "grading_method": "highest",
        "review_policy": "after_submit",
        "time_limit_minutes": "20",
        "validity_days": "90",
        "shuffle_questions": "y",
        "published": "y",
    }
    data.update(extra)
    return data


def test_trainer_creates_and_edits_a_quiz(trainer_client, make_question):
    fixed = make_question("truefalse", category="other")
    for qtype in ("single", "multi", "numerical"):
        make_question(qtype)
    response = trainer_client.post(
        "/quizzes/manage/new", data=quiz_form(fixed_questions=fixed.idnumber or str(fixed.id))
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    quiz = db.session.scalar(db.select(Quiz).where(Quiz.slug == "new-quiz"))
    assert quiz.draw_rules == [
        {"type": "fixed", "questions": [fixed.id]},
        {"type": "random", "count": 2, "category": "compliance/test", "tag": "", "difficulty": ""},
    ]
    assert quiz.time_limit_minutes == 20 and quiz.validity_days == 90
    page = trainer_client.get(f"/quizzes/manage/{quiz.id}").get_data(as_text=True)
    assert "新测验" in page
    closes = "2030-01-01T18:00"
    trainer_client.post(
        f"/quizzes/manage/{quiz.id}", data=quiz_form(pass_mark="90", closes_at=closes)
    )
    db.session.expire_all()
    quiz = db.session.get(Quiz, quiz.id)
    assert quiz.pass_mark == 90
    assert quiz.closes_at.isoformat() == "2030-01-01T10:00:00+00:00"  # Asia/Shanghai → UTC
    assert "新测验" in trainer_client.get("/quizzes/manage/").get_data(as_text=True)


def test_a_quiz_the_bank_cannot_fill_is_refused(trainer_client, make_question):
    make_question("single")
    response = trainer_client.post(
        "/quizzes/manage/new",
        data=quiz_form(**{"rules-0-count": "5"}),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200 and "only 1" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Quiz.id))) == 0


def test_unknown_fixed_question_is_refused(trainer_client, make_question):
    make_question("single")
    make_question("single")
    response = trainer_client.post("/quizzes/manage/new", data=quiz_form(fixed_questions="nope"))
    assert "nope" in response.get_data(as_text=True)


def test_fixed_question_refs_with_odd_digits_are_unknown_not_a_crash(trainer_client, make_question):
    make_question("single")
    make_question("single")
    for ref in ("²", "99999999999999999999999"):
        response = trainer_client.post("/quizzes/manage/new", data=quiz_form(fixed_questions=ref))
        assert response.status_code == 200 and ref in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Quiz.id))) == 0


def test_settings_are_validated(app):
    bad = QuizSettings(
        slug="x", title={"zh_CN": "x"}, draw_rules=[], pass_mark=120, grading_method="best"
    )
    problems = bad.problems()
    assert len(problems) >= 3
    import pytest

    with pytest.raises(QuizError):
        save_quiz(bad)


def test_home_panel_lists_due_quizzes_and_expiring_passes(login_as, make_quiz):
    client, user = login_as("agent")
    due = make_quiz(count=1)
    passed = make_quiz(count=1, validity_days=10, pass_mark=0)
    now = utcnow()
    db.session.add(
        QuizAttempt(
            quiz_id=passed.id,
            user_id=user.id,
            number=1,
            state="finished",
            started_at=now - timedelta(days=1),
            submitted_at=now - timedelta(days=1),
            score=50,
            passed=True,
        )
    )
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="quiz-home-panel"' in page
    panel = page.split('data-testid="quiz-home-panel"')[1]
    assert due.title["zh_CN"] in panel and passed.title["zh_CN"] in panel


def test_demo_seeder_adds_a_failed_and_a_passed_attempt(app):
    from pathlib import Path

    from trainer.accounts.demo import seed_demo_users
    from trainer.quizzes.achievements import quiz_passes
    from trainer.quizzes.content import sync_quizzes
    from trainer.quizzes.demo import DEMO_QUIZ, seed_quiz_demo

    sync_quizzes(Path(app.config["CONTENT_ROOT"]))
    users = seed_demo_users()
    seed_quiz_demo(users)
    seed_quiz_demo(users)  # idempotent
    db.session.commit()
    attempts = db.session.scalars(db.select(QuizAttempt).order_by(QuizAttempt.number)).all()
    assert [a.passed for a in attempts] == [False, True]
    assert DEMO_QUIZ in quiz_passes([users["agent"].id])[users["agent"].id]
