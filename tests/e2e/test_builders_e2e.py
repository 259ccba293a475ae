"""Form builders in the browser: a trainer builds a scenario in the form, tries it and publishes
it, and an agent plays it on a phone; an admin adds a KPI and a level requirement by picking
them from lists."""

import re

from playwright.sync_api import expect

from tests.e2e.chat import fill_reply
from trainer.extensions import db

PHONE = {"width": 375, "height": 812}


def _sign_out(page):
    page.click(".user-menu summary")
    page.click("[data-testid=logout]")


def test_trainer_builds_tries_and_publishes_a_scenario_an_agent_plays_on_a_phone(
    app, page, server_url, make_user, sign_in
):
    trainer = make_user("trainer", name="王培训")
    sign_in(trainer)
    page.goto(f"{server_url}/roleplay/manage/new")
    form = {
        "slug": "earphones-no-sound",
        "title_zh": "耳机没声音",
        "title_en": "Earphones without sound",
        "summary_zh": "练习核实凭证并给出处理结果。",
        "summary_en": "Check the evidence and decide.",
        "persona_name": "李先生",
        "persona_temperament": "着急",
        "situation": "刚买的蓝牙耳机右耳没声音，想退款。",
        "opening": "耳机右边没声音了！怎么办？",
        "policy": "- 质量问题：七天内可退款。",
    }
    for name, value in form.items():
        page.fill(f"[name={name}]", value)
    page.select_option("[name=category]", "after_sales")
    # Rows are added with a button; what was typed stays.
    page.click("[data-testid=rb-add-hidden_facts]")
    expect(page.locator("[name=slug]")).to_have_value("earphones-no-sound")
    page.fill("[name=hidden_facts-0-id]", "has_video")
    page.fill("[name=hidden_facts-0-fact]", "顾客录了视频")
    page.fill("[name=hidden_facts-0-ask_keywords]", "视频\n录像")
    page.fill("[name=hidden_facts-0-reveal]", "我录了视频的，右耳一点声音都没有。")
    page.fill("[name=needs-0-words]", "给您退款")
    # A mistake is shown beside its field, in Chinese.
    page.fill("[name=rubric_items-0-check_seconds]", "-5")
    page.click("[data-testid=rb-try]")
    error = page.locator(
        ".field.has-error", has=page.locator("[name=rubric_items-0-check_seconds]")
    )
    expect(error.locator(".error")).to_contain_text("大于 0")
    page.fill("[name=rubric_items-0-check_seconds]", "30")
    page.click("[data-testid=rb-try]")
    # "Save and try it" opens a trial chat with the scripted customer.
    page.wait_for_url(re.compile(r".*/roleplay/sessions/\d+$"))
    expect(page.locator("[data-testid=rp-transcript]")).to_contain_text("耳机右边没声音了")
    fill_reply(page, "非常抱歉！方便发一下视频吗？")
    page.click("[data-testid=rp-send]")
    expect(page.locator(".rp-customer").last).to_contain_text("我录了视频的")
    page.goto(f"{server_url}/roleplay/manage/earphones-no-sound")
    expect(page.locator("[data-testid=rp-status-badge]")).to_have_text("草稿")
    page.click("[data-testid=rp-publish]")
    expect(page.locator("[data-testid=rp-status-badge]")).to_have_text("已发布")
    _sign_out(page)

    agent = make_user("agent", name="小美")
    page.set_viewport_size(PHONE)
    sign_in(agent)
    page.goto(f"{server_url}/roleplay/")
    page.click("text=耳机没声音")
    page.click("[data-testid=rp-start]")
    expect(page.locator("[data-testid=rp-transcript]")).to_contain_text("耳机右边没声音了")
    fill_reply(page, "抱歉给您添麻烦了，请问有录视频吗？")
    page.click("[data-testid=rp-send]")
    expect(page.locator(".rp-customer").last).to_contain_text("我录了视频的")
    fill_reply(page, "已经给您退款，全额原路退回。")
    page.click("[data-testid=rp-send]")
    page.wait_for_url(re.compile(r".*/roleplay/sessions/\d+/result"))
    expect(page.locator("[data-testid=rp-total]")).to_be_visible()


def test_admin_adds_a_kpi_and_a_level_requirement_from_lists(
    app, page, server_url, make_user, sign_in
):
    from trainer.certification.ladder import current_ladder
    from trainer.core import configdocs
    from trainer.scorecards import catalogue, catalogue_builder

    admin = make_user("admin", name="管理员")
    # Start from a catalogue without the response rate, so there is a KPI to add.
    values = catalogue_builder.form_values(catalogue_builder.document_in_force())
    values["kpis"] = [row for row in values["kpis"] if row["key"] != "response_rate"]
    catalogue_builder.save_from_values(values, actor=admin)
    db.session.commit()

    sign_in(admin)
    page.goto(f"{server_url}/admin/kpi/catalogue/form")
    page.click("[data-testid=kpi-add-response_rate]")
    row = page.locator("[data-testid=kpi-row-response_rate]")
    row.locator("[name$=-target]").fill("97")
    row.locator("[name$=-floor]").fill("88")
    row.locator("[name$=-weight]").fill("5")
    page.click("[data-testid=kpi-save]")
    expect(page.locator(".flash-success")).to_be_visible()
    configdocs.forget()
    added = catalogue.current_catalogue().get("response_rate")
    assert added is not None and added.target == 97 and added.name["zh_CN"] == "响应率"

    page.goto(f"{server_url}/admin/certification/levels/form")
    level = page.locator("[data-testid=level-2]")
    level.locator("[data-testid=level-2-quizzes] label", has_text="平台规则与订单处理测验").click()
    level.locator("input[name=levels-2-kpi_response_rate]").fill("95")
    page.click("[data-testid=levels-save]")
    expect(page.locator(".flash-success")).to_be_visible()
    configdocs.forget()
    l2 = current_ladder().level("L2")
    assert "platform-rules" in l2.quizzes
    assert any(t.kpi == "response_rate" and t.value == 95 for t in l2.kpis.thresholds)
