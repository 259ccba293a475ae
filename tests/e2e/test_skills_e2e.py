"""The closed loop in the browser (issue 16): a missed verification item leads to a lesson and a
re-drill with the reason; doing both moves the skill and the heatmap; a trainer then switches
the skill to auto-assign and the next agent who misses it gets the assignment and a notice."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.chat import fill_reply
from trainer.config import ROOT
from trainer.core.content import sync_content
from trainer.extensions import db

ASK_INSURANCE_ONLY = "您好，理解您的担心！请问您下单时勾选了运费险吗？"


@pytest.fixture
def content(app):
    """All shipped content: courses, banks, scenarios, the policy and the skills map."""
    app.config["ROLEPLAY_SCRIPTED_DELAY"] = 0
    sync_content(ROOT)
    db.session.commit()


def _send(page, text: str) -> None:
    before = page.locator(".rp-customer").count()
    fill_reply(page, text)
    page.click("[data-testid=rp-send]")
    page.wait_for_function(
        "n => document.querySelectorAll('.rp-customer:not(.rp-streaming)').length > n "
        "|| location.pathname.endsWith('/result')",
        arg=before,
    )


def _end(page) -> None:
    if not page.url.endswith("/result"):
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("[data-testid=rp-end]")
    page.wait_for_url(re.compile(r".*/roleplay/sessions/\d+/result"))
    expect(page.locator("[data-testid=rp-total]")).to_be_visible()


def _miss_the_item_check(page, server_url) -> None:
    """The dress return: asks about the freight insurance but never about the item's state."""
    page.goto(f"{server_url}/roleplay/scenarios/aftersales-seven-day-return-dress")
    page.click("[data-testid=rp-start]")
    _send(page, ASK_INSURANCE_ONLY)
    expect(page.locator(".rp-customer").last).to_contain_text("运费险")
    _end(page)


def _verify_level(page, server_url) -> tuple[str, int]:
    page.goto(f"{server_url}/skills/")
    cell = page.locator("[data-testid=skill-level-verify_facts]")
    return cell.get_attribute("data-level"), int(cell.get_attribute("data-score"))


def _heatmap_cell(page, server_url, email: str):
    page.goto(f"{server_url}/skills/team")
    return page.locator(
        f"[data-testid=heatmap-row][data-agent='{email}'] td[data-skill=verify_facts]"
    )


def _sign_out(page):
    page.click(".user-menu summary")
    page.click("[data-testid=logout]")


def test_missed_verification_to_lesson_redrill_level_and_auto_assign(
    app, page, browser, server_url, make_user, sign_in, content
):
    from tests.conftest import PASSWORD

    agent = make_user("agent", name="小林")
    trainer = make_user("trainer", name="王老师")
    sign_in(agent)
    _miss_the_item_check(page, server_url)

    # The result names the weak skill, the reason, the lesson and the re-drill (names, not ids).
    step = page.locator("[data-testid=result-next-steps] [data-skill=verify_facts]")
    expect(step.locator("[data-testid=next-step-reason]")).to_contain_text("确认商品状态")
    expect(step.locator("[data-testid=next-step-lesson]")).to_have_text("《留痕与证据》")
    expect(step.locator("[data-testid=next-step-drill]")).to_contain_text("纯羊毛")
    level_before, score_before = _verify_level(page, server_url)
    assert level_before == "weak"

    # The trainer's heatmap shows the agent weak in that skill, in words.
    staff = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    staff.goto(f"{server_url}/login")
    staff.fill("input[name=email]", trainer.email)
    staff.fill("input[name=password]", PASSWORD)
    staff.click("form.form button[type=submit]")
    staff.wait_for_url(f"{server_url}/")
    cell = _heatmap_cell(staff, server_url, agent.email)
    expect(cell).to_have_attribute("data-level", "weak")
    expect(cell).to_contain_text("薄弱")

    # The home page shows next steps; the agent reads the lesson, then does the re-drill from
    # My skills (every weak skill's step, weakest first).
    page.goto(f"{server_url}/")
    expect(page.locator("[data-testid=home-next-steps] [data-testid=next-step]")).not_to_have_count(
        0
    )
    page.goto(f"{server_url}/skills/")
    home_step = page.locator("[data-testid=next-steps] [data-skill=verify_facts]")
    home_step.locator("[data-testid=next-step-lesson]").click()
    complete = page.locator("[data-testid=complete-lesson]")
    complete.scroll_into_view_if_needed()  # the course asks for the lesson to be read to its end
    expect(page.locator("[data-lesson-end]")).to_have_attribute("data-reached", "1")
    complete.click()
    page.goto(f"{server_url}/skills/")
    expect(home_step).to_contain_text("已完成")
    home_step.locator("[data-testid=next-step-drill]").click()
    page.click("[data-testid=rp-start]")
    from tests.roleplay.conftest import load_dialogue

    for text in load_dialogue("aftersales-wool-sweater-not-as-described")["good"]:
        if page.url.endswith("/result"):
            break
        _send(page, text)
    _end(page)

    level_after, score_after = _verify_level(page, server_url)
    assert score_after > score_before and level_after != "weak", (score_before, score_after)
    cell = _heatmap_cell(staff, server_url, agent.email)
    expect(cell).to_have_attribute("data-level", level_after)

    # The trainer switches the skill to auto-assign (due in 3 days).
    staff.goto(f"{server_url}/skills/settings")
    row = staff.locator("[data-testid=setting-verify_facts]")
    row.locator("select").select_option("auto")
    row.locator("input[name=due_days]").fill("3")
    row.locator("button[type=submit]").click()
    expect(staff.locator(".flash-success")).to_be_visible()

    # The next agent who misses the item gets the lesson's course, the re-drill and a notice.
    _sign_out(page)
    second = make_user("agent", name="小周")
    sign_in(second)
    _miss_the_item_check(page, server_url)
    page.goto(f"{server_url}/notifications/")
    expect(page.locator("body")).to_contain_text("补练")
    expect(page.locator("body")).to_contain_text("留痕与证据")
    page.goto(f"{server_url}/roleplay/")
    expect(page.locator("body")).to_contain_text("纯羊毛")
    from trainer.courses.models import Enrollment
    from trainer.roleplay.models import RoleplayAssignment

    db.session.expire_all()
    assert db.session.scalar(db.select(Enrollment).where(Enrollment.user_id == second.id))
    assert db.session.scalar(
        db.select(RoleplayAssignment).where(RoleplayAssignment.user_id == second.id)
    )
    staff.context.close()
