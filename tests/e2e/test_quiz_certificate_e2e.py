"""Browser: an agent uses the question navigator, is warned about two unanswered questions,
submits, and downloads a certificate whose fonts are all embedded."""

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.certification.pdffonts import pdf_fonts, pdf_text
from tests.quizzes.conftest import spec_of
from trainer.certification import services
from trainer.certification.models import Certificate
from trainer.extensions import db
from trainer.quizzes import bank
from trainer.quizzes.quizdefs import QuizSettings, save_quiz


def _quiz():
    qtypes = ("single", "truefalse", "shortanswer", "numerical")
    ids = [bank.save_question(spec_of(t))[0].id for t in qtypes]
    quiz = save_quiz(
        QuizSettings(
            slug="navigator-quiz",
            title={"zh_CN": "售后规则小测", "en": "After-sales check"},
            draw_rules=[{"type": "fixed", "questions": ids}],
            shuffle_questions=False,
            time_limit_minutes=15,
            pass_mark=50,
        )
    )
    db.session.commit()
    return quiz


def _no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_navigator_warning_submit_and_certificate_with_embedded_fonts(
    page, server_url, make_user, sign_in
):
    quiz = _quiz()
    agent = make_user("agent", name="欧阳喆")
    admin = make_user("admin")
    page.set_viewport_size({"width": 375, "height": 812})  # the agent's phone
    sign_in(agent)
    page.goto(f"{server_url}/quizzes/{quiz.slug}")
    page.click("[data-testid=start-attempt]")
    page.wait_for_url(re.compile(r".*/quizzes/attempts/\d+$"))

    navigator = page.locator("[data-testid=question-navigator]")
    expect(navigator.locator(".quiz-nav-item")).to_have_count(4)
    expect(page.locator("[data-testid=time-left]")).to_contain_text(re.compile(r"\d+:\d\d"))
    questions = page.locator("fieldset.quiz-question")
    questions.nth(0).get_by_text("正确选项").click()
    questions.nth(1).get_by_text("正确", exact=True).click()
    questions.nth(1).get_by_text("标记待复查").click()  # unsure: flag it for review
    expect(page.locator("[data-testid=save-status]")).to_have_text("所有答案已保存", timeout=10_000)
    expect(page.locator("[data-testid=answered-count]")).to_have_text("已答 2 / 4 题")
    expect(navigator.locator("[data-testid=nav-1]")).to_have_class(re.compile("is-answered"))
    expect(navigator.locator("[data-testid=nav-2]")).to_have_class(re.compile("is-flagged"))
    expect(navigator.locator("[data-testid=nav-3]")).not_to_have_class(re.compile("is-answered"))
    assert _no_sideways_scroll(page)

    # The flag is saved with the answer: it survives a reload.
    page.reload()
    expect(page.locator("[data-testid=nav-2]")).to_have_class(re.compile("is-flagged"))
    expect(page.locator("fieldset.quiz-question").nth(1).locator("[data-flag]")).to_be_checked()
    # The time left stays in sight while the agent scrolls down the questions.
    page.locator("fieldset.quiz-question").nth(3).scroll_into_view_if_needed()
    expect(page.locator("[data-testid=time-left]")).to_be_in_viewport()

    page.click("[data-testid=submit-attempt]")
    confirm = page.locator("[data-testid=submit-confirm]")
    expect(confirm).to_be_visible()
    warning = confirm.locator("[data-testid=unanswered-warning]")
    expect(warning).to_be_visible()
    expect(warning.locator("li")).to_have_count(2)
    expect(warning).to_contain_text("第 3 题")
    expect(warning).to_contain_text("第 4 题")
    expect(confirm.locator("[data-confirm-flagged] li")).to_have_count(1)
    assert _no_sideways_scroll(page)
    confirm.locator("[data-testid=confirm-cancel]").click()  # back to the questions: not sent
    expect(confirm).to_be_hidden()
    assert "/review" not in page.url

    page.click("[data-testid=submit-attempt]")
    confirm.locator("[data-testid=confirm-submit]").click()
    page.wait_for_url(re.compile(r".*/review$"))
    expect(page.locator("[data-testid=review-score]")).to_contain_text("50")

    services.grant_override(agent, "L1", admin, reason="测验通过，主管确认")
    db.session.commit()
    certificate = db.session.scalar(db.select(Certificate))
    page.goto(f"{server_url}/certification/certificates/{certificate.id}")
    with page.expect_download() as download_info:
        page.click("[data-testid=certificate-pdf]")
    data = Path(download_info.value.path()).read_bytes()
    fonts = pdf_fonts(data)
    assert fonts and all(fonts.values()), fonts
    assert "欧阳喆" in pdf_text(data)
