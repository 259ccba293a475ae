"""Role-play in the browser: a scripted chat with streamed replies, an AI failure with a retry,
and a trainer's override that the agent then sees."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.chat import fill_reply
from tests.roleplay.conftest import tiny_spec
from tests.roleplay.fake_openai import FakeOpenAI
from trainer.core.clock import utcnow
from trainer.extensions import db


@pytest.fixture
def scenario(app):
    """The small test scenario, published."""
    from trainer.roleplay import catalog
    from trainer.roleplay.scenarios import normalise

    spec, problems = normalise(tiny_spec())
    assert problems == []
    saved, _ = catalog.save_version(spec, None, source="file", publish=True)
    db.session.commit()
    return saved


def _sign_out(page):
    page.click(".user-menu summary")
    page.click("[data-testid=logout]")


def test_agent_chats_watches_replies_stream_and_sees_the_result(
    app, page, server_url, make_user, sign_in, scenario
):
    app.config["ROLEPLAY_SCRIPTED_DELAY"] = 0.08  # the scripted customer "types" visibly
    agent = make_user("agent", name="小美")
    sign_in(agent)
    page.click('nav >> text="角色扮演"')
    page.click("text=小测试：包裹破损")
    page.click("[data-testid=rp-start]")
    expect(page.locator("[data-testid=rp-transcript]")).to_contain_text("杯子碎了！怎么办？")

    fill_reply(page, "非常抱歉，理解您着急！请问订单号是多少？")
    page.keyboard.press("Enter")
    streaming = page.locator(".rp-customer.rp-streaming")
    expect(streaming).to_have_count(1)  # the reply is arriving…
    expect(page.locator("[data-testid=rp-status]")).to_contain_text("正在输入")
    partial = streaming.locator(".rp-bubble").inner_text()
    assert partial != "订单号 2024111100123。"  # …piece by piece
    expect(streaming).to_have_count(0)
    expect(page.locator(".rp-customer").last).to_have_text(re.compile("订单号 2024111100123。"))
    expect(page.locator(".rp-agent.rp-sending")).to_have_count(0)

    fill_reply(page, "麻烦发一下照片，我帮您核实。")
    page.click("[data-testid=rp-send]")
    expect(page.locator(".rp-customer").last).to_contain_text("我拍了照片的。")
    fill_reply(page, "抱歉久等，已为您全额退款，已退款到原账户。")
    page.click("[data-testid=rp-send]")
    # The customer is satisfied: the chat ends and the page moves on to the grade.
    page.wait_for_url(re.compile(r".*/roleplay/sessions/\d+/result"))
    expect(page.locator("[data-testid=rp-total]")).to_have_text("100.0")
    expect(page.locator("[data-testid=rp-score]")).to_contain_text("已通过")
    expect(page.locator("[data-testid=rp-items]")).to_contain_text("核实照片")
    expect(page.locator("svg.rp-chart")).to_have_count(2)


def test_ai_failure_shows_a_message_and_retry_gets_the_reply(
    app, page, server_url, make_user, sign_in, scenario
):
    with FakeOpenAI(reply="那你快点查！") as fake:
        app.config.update(
            OPENAI_API_KEY="test-key",
            OPENAI_BASE_URL=fake.base_url,
            ROLEPLAY_LLM_TIMEOUT=2.0,
            ROLEPLAY_LLM_MAX_RETRIES=0,
        )
        agent = make_user("agent")
        sign_in(agent)
        page.goto(f"{server_url}/roleplay/scenarios/tiny-parcel")
        page.click("[data-testid=rp-start]")
        fake.fail_next("500")
        fill_reply(page, "您好，我帮您查一下。")
        page.click("[data-testid=rp-send]")
        expect(page.locator("[data-testid=rp-error]")).to_contain_text("AI 服务出错了")
        expect(page.locator("[data-testid=rp-error]")).to_contain_text("你的消息已保存")
        expect(page.locator(".rp-agent")).to_contain_text("您好，我帮您查一下。")
        page.click("[data-testid=rp-retry]")
        expect(page.locator(".rp-customer").last).to_have_text(re.compile("那你快点查！"))
        expect(page.locator("#rp-error")).to_be_hidden()
        page.reload()  # the transcript survived on the server
        expect(page.locator("[data-testid=rp-transcript]")).to_contain_text("那你快点查！")


def test_trainer_overrides_a_grade_and_the_agent_sees_it(
    app, page, server_url, make_user, sign_in, scenario
):
    from trainer.roleplay.simulate import simulate_session

    agent = make_user("agent", name="小美")
    trainer = make_user("trainer", name="王老师")
    turns = ["非常抱歉，理解您！麻烦发一下照片。"]
    session = simulate_session(agent, scenario, turns, started_at=utcnow() - timedelta(hours=1))
    db.session.commit()
    assert session.grade.total == 100

    sign_in(trainer)
    page.goto(f"{server_url}/roleplay/review/")
    page.click("[data-testid=rp-review-link]")
    page.select_option("[data-testid=rp-score-empathy]", "2")
    page.fill("[data-testid=rp-note-empathy]", "只道歉了一句，没有安抚情绪。")
    page.click("[data-testid=rp-save-review]")
    expect(page.locator(".flash-success")).to_contain_text("复核已保存")
    _sign_out(page)

    sign_in(agent)
    page.goto(f"{server_url}/roleplay/sessions/{session.id}/result")
    expect(page.locator("[data-testid=rp-reviewed]")).to_contain_text("王老师")
    expect(page.locator("[data-testid=rp-override]")).to_contain_text(
        "只道歉了一句，没有安抚情绪。"
    )
    expect(page.locator("[data-testid=rp-total]")).not_to_have_text("100.0")


def test_spent_ai_budget_notice_shows_in_the_chat(
    app, page, server_url, make_user, sign_in, scenario
):
    with FakeOpenAI(reply="那你快点查！") as fake:
        app.config.update(
            OPENAI_API_KEY="test-key",
            OPENAI_BASE_URL=fake.base_url,
            ROLEPLAY_LLM_TIMEOUT=2.0,
            ROLEPLAY_DAILY_TOKENS=1,  # spent with the first reply: the script answers
        )
        agent = make_user("agent")
        sign_in(agent)
        page.goto(f"{server_url}/roleplay/scenarios/tiny-parcel")
        page.click("[data-testid=rp-start]")
        fill_reply(page, "非常抱歉，理解您着急！请问订单号是多少？")
        page.click("[data-testid=rp-send]")
        notice = page.locator("[data-testid=rp-transcript] [data-testid=rp-notice]")
        expect(notice).to_have_text("今天的 AI 额度已用完：顾客改用脚本回复。")
        expect(page.locator(".rp-customer").last).to_contain_text("订单号 2024111100123。")
        expect(page.locator("#rp-error")).to_be_hidden()


def test_chat_works_without_its_script(browser, server_url, make_user, scenario):
    """A phone that has not loaded the chat's script yet (or blocks it) still chats: the form
    posts the message, the page comes back with the customer's reply."""
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        from tests.conftest import PASSWORD

        agent = make_user("agent")
        page.goto(f"{server_url}/login")
        page.fill("input[name=email]", agent.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("form.form button[type=submit]")
        page.goto(f"{server_url}/roleplay/scenarios/tiny-parcel")
        page.click("[data-testid=rp-start]")
        page.fill("[data-testid=rp-input]", "非常抱歉，理解您着急！请问订单号是多少？")
        page.click("[data-testid=rp-send]")
        expect(page.locator(".rp-customer").last).to_have_text(re.compile("订单号 2024111100123。"))
        expect(page.locator(".rp-agent")).to_contain_text("请问订单号是多少？")
        assert "text=" not in page.url
    finally:
        context.close()
