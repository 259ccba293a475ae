"""An agent takes a timed quiz: answers autosave, survive a reload, submit leads to the review."""

import re

from playwright.sync_api import expect

from tests.quizzes.conftest import spec_of
from trainer.extensions import db
from trainer.quizzes import bank
from trainer.quizzes.quizdefs import QuizSettings, save_quiz


def _quiz():
    ids = [bank.save_question(spec_of(t))[0].id for t in ("single", "truefalse", "shortanswer")]
    quiz = save_quiz(
        QuizSettings(
            slug="e2e-quiz",
            title={"zh_CN": "端到端测验", "en": "E2E quiz"},
            draw_rules=[{"type": "fixed", "questions": ids}],
            shuffle_questions=False,
            time_limit_minutes=10,
            pass_mark=60,
        )
    )
    db.session.commit()
    return quiz


def test_agent_takes_a_timed_quiz_and_reloads_without_losing_answers(
    page, server_url, make_user, sign_in
):
    quiz = _quiz()
    agent = make_user("agent", name="测试客服")
    sign_in(agent)
    page.goto(f"{server_url}/quizzes/{quiz.slug}")
    page.click("[data-testid=start-attempt]")
    page.wait_for_url(re.compile(r".*/quizzes/attempts/\d+$"))
    expect(page.locator(".quiz-countdown")).to_contain_text(re.compile(r"\d+:\d\d"))

    questions = page.locator("fieldset.quiz-question")
    expect(questions).to_have_count(3)
    questions.nth(0).get_by_text("正确选项").click()
    questions.nth(1).get_by_text("正确", exact=True).click()
    questions.nth(2).locator("input[type=text]").fill("提货码")
    status = page.locator("[data-testid=save-status]")
    expect(status).to_have_text("所有答案已保存", timeout=10_000)
    expect(page.locator("[data-testid=unsaved-warning]")).to_be_hidden()

    page.reload()
    questions = page.locator("fieldset.quiz-question")
    expect(questions.nth(0).get_by_label("正确选项")).to_be_checked()
    expect(questions.nth(1).get_by_label("正确", exact=True)).to_be_checked()
    expect(questions.nth(2).locator("input[type=text]")).to_have_value("提货码")

    page.click("[data-testid=submit-attempt]")
    confirm = page.locator("[data-testid=submit-confirm]")
    expect(confirm).to_be_visible()
    expect(confirm.locator("[data-testid=unanswered-warning]")).to_be_hidden()  # all answered
    confirm.locator("[data-testid=confirm-submit]").click()
    page.wait_for_url(re.compile(r".*/review$"))
    expect(page.locator("[data-testid=review-score]")).to_contain_text("100")
    expect(page.locator("[data-testid=review-score]")).to_contain_text("已通过")
    expect(page.locator(".quiz-general-feedback").first).to_contain_text("规则说明")


def test_unsaved_warning_while_the_server_cannot_be_reached(page, server_url, make_user, sign_in):
    quiz = _quiz()
    sign_in(make_user("agent"))
    page.goto(f"{server_url}/quizzes/{quiz.slug}")
    page.click("[data-testid=start-attempt]")
    page.wait_for_url(re.compile(r".*/quizzes/attempts/\d+$"))
    page.route("**/answers", lambda route: route.abort())
    page.locator("fieldset.quiz-question").nth(0).get_by_text("正确选项").click()
    expect(page.locator("[data-testid=unsaved-warning]")).to_be_visible(timeout=10_000)
    page.unroute("**/answers")
    expect(page.locator("[data-testid=save-status]")).to_have_text("所有答案已保存", timeout=20_000)
    expect(page.locator("[data-testid=unsaved-warning]")).to_be_hidden()
