"""A peak drill in the browser: three scripted customers, two served, one left waiting."""

import re

import pytest
from playwright.sync_api import expect

from tests.roleplay.conftest import tiny_spec
from trainer.extensions import db

QUICK_RUSH = """\
slug: quick-rush
title:
  zh_CN: 三位顾客同时进线
  en: Three customers at once
length: 60
patience:
  follow_up_after: 5
  leave_after: 10
  follow_up: 在吗？
  leave: 不等了。
scenarios:
  - scenario: tiny-parcel
arrivals:
  - at: 0
  - at: 1
  - at: 2
"""


@pytest.fixture
def drill(app):
    """The tiny scenario and a three-customer drill with short patience."""
    from trainer.drills import catalog as drills
    from trainer.drills.spec import parse_drill
    from trainer.roleplay import catalog
    from trainer.roleplay.scenarios import normalise

    spec, problems = normalise(tiny_spec())
    assert problems == []
    catalog.save_version(spec, None, source="file", publish=True)
    saved, _ = drills.save_version(parse_drill(QUICK_RUSH), QUICK_RUSH, source="file")
    db.session.commit()
    return saved


def _answer(page, position: int, text: str) -> None:
    page.click(f"[data-testid=dr-customer-{position}] button")
    expect(page.locator("[data-testid=dr-chat-title]")).to_contain_text(f"#{position}")
    expect(page.locator("[data-testid=dr-input]")).to_be_enabled()
    page.fill("[data-testid=dr-input]", text)
    page.keyboard.press("Enter")
    expect(page.locator("#dr-transcript .rp-customer").last).to_contain_text(
        re.compile("我拍了照片的|能不能给我退款")
    )


def test_two_served_one_abandoned_with_server_times_and_score(
    app, page, server_url, make_user, sign_in, drill
):
    agent = make_user("agent", name="小美")
    sign_in(agent)
    page.click('nav >> text="高峰演练"')
    page.click("[data-testid=dr-start-quick-rush]")
    expect(page.locator("[data-testid=dr-customer-3]")).to_be_visible(timeout=8000)
    _answer(page, 1, "非常抱歉！请问有照片吗？")
    _answer(page, 2, "抱歉让您久等，请问有照片吗？")
    third = page.locator("[data-testid=dr-customer-3]")
    expect(third).to_have_class(re.compile("dr-leaving"), timeout=10000)
    expect(third).to_have_attribute("data-phase", "left", timeout=12000)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=dr-finish]")
    page.wait_for_url(re.compile(r"/drills/runs/\d+/results"))
    expect(page.locator("[data-testid=dr-served]")).to_have_text("2")
    expect(page.locator("[data-testid=dr-abandoned]")).to_have_text("1")
    for position in (1, 2):
        expect(page.locator(f"[data-testid=dr-first-{position}]")).to_have_text(
            re.compile(r"^\d+(\.\d)? s$")
        )
    expect(page.locator("[data-testid=dr-first-3]")).to_have_text("—")
    expect(page.locator("[data-testid=dr-score]")).to_have_text(re.compile(r"^\d+ / 100$"))
    expect(page.locator("[data-testid=dr-formula]")).to_contain_text("演练得分 = 40 ×")
    expect(page.locator("[data-testid=dr-timeline] rect")).to_have_count(5)


def test_workspace_fits_a_phone_with_a_switcher(app, page, server_url, make_user, sign_in, drill):
    agent = make_user("agent")
    sign_in(agent)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{server_url}/drills/")
    page.click("[data-testid=dr-start-quick-rush]")
    expect(page.locator("[data-testid=dr-switch] option")).to_have_count(4, timeout=8000)
    expect(page.locator("[data-testid=dr-list]")).to_be_hidden()
    page.select_option("[data-testid=dr-switch]", "2")
    expect(page.locator("[data-testid=dr-chat-title]")).to_contain_text("#2")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    page.keyboard.press("Alt+3")
    expect(page.locator("[data-testid=dr-chat-title]")).to_contain_text("#3")
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.locator("[data-testid=dr-list]")).to_be_visible()
    page.keyboard.press("Control+ArrowUp")
    expect(page.locator("[data-testid=dr-chat-title]")).to_contain_text("#2")


def test_spent_ai_budget_notice_shows_in_the_drill_workspace(
    app, page, server_url, make_user, sign_in, drill
):
    from tests.roleplay.fake_openai import FakeOpenAI

    with FakeOpenAI(reply="那你快点查！") as fake:
        app.config.update(
            OPENAI_API_KEY="test-key",
            OPENAI_BASE_URL=fake.base_url,
            ROLEPLAY_LLM_TIMEOUT=2.0,
            ROLEPLAY_DAILY_TOKENS=1,  # spent with the first reply: the script answers
        )
        agent = make_user("agent")
        sign_in(agent)
        page.goto(f"{server_url}/drills/")
        page.click("[data-testid=dr-start-quick-rush]")
        expect(page.locator("[data-testid=dr-customer-1]")).to_be_visible(timeout=8000)
        notice = page.locator("[data-testid=dr-notice]")
        expect(notice).to_be_hidden()
        _answer(page, 1, "非常抱歉！请问有照片吗？")
        expect(notice).to_have_text("今天的 AI 额度已用完：顾客改用脚本回复。")
        page.click("[data-testid=dr-customer-2] button")  # it concerns the whole drill
        expect(notice).to_be_visible()


def test_results_wait_for_grading_then_show_the_score(
    app, page, server_url, make_user, sign_in, drill, tmp_path
):
    """With a worker (a real queue, not inline), finishing is quick and the results page says
    "评分中…" and polls until the worker has graded every conversation."""
    from tests.jobs.conftest import run_queued
    from trainer.core import jobs

    app.config.update(
        TRAINER_QUEUE_URL=f"sqlite:///{tmp_path / 'queue.db'}",
        TRAINER_QUEUE_NAME="drill-e2e",
        TRAINER_QUEUE_IMMEDIATE=False,
    )
    jobs.configure(app)
    try:
        agent = make_user("agent")
        sign_in(agent)
        page.goto(f"{server_url}/drills/")
        page.click("[data-testid=dr-start-quick-rush]")
        expect(page.locator("[data-testid=dr-customer-1]")).to_be_visible(timeout=8000)
        _answer(page, 1, "非常抱歉！请问有照片吗？")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("[data-testid=dr-finish]")
        page.wait_for_url(re.compile(r"/drills/runs/\d+/results"))
        expect(page.locator("[data-testid=dr-score]")).to_have_text("评分中…")
        expect(page.locator("[data-testid=dr-grading]")).to_contain_text("0 / 1")
        # The worker grades, then runs the agent's skills refresh the grade queued.
        assert run_queued(jobs.huey) == 2
        expect(page.locator("[data-testid=dr-score]")).to_have_text(
            re.compile(r"^\d+ / 100$"), timeout=8000
        )
        expect(page.locator("[data-testid=dr-grading]")).to_have_count(0)
    finally:
        jobs.huey.storage.flush_all()
        app.config["TRAINER_QUEUE_IMMEDIATE"] = True
        jobs.configure(app)
