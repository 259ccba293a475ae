"""The scripted customer in the browser: it asks for what is open, presses on a vague answer,
and ends satisfied ("resolved") once the agent has solved its problem."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.chat import fill_reply
from trainer.config import ROOT
from trainer.extensions import db


@pytest.fixture
def shipped(app):
    """The shipped scenarios, synced as `flask content sync` does."""
    from trainer.roleplay import content

    content.sync(ROOT)
    db.session.commit()


def _send(page, text):
    before = page.locator(".rp-customer").count()
    fill_reply(page, text)
    page.click("[data-testid=rp-send]")
    expect(page.locator(".rp-customer")).to_have_count(before + 1)
    expect(page.locator(".rp-customer.rp-streaming")).to_have_count(0)
    return page.locator(".rp-customer").last


def test_agent_solves_the_problem_and_the_customer_ends_satisfied(
    app, page, server_url, make_user, sign_in, shipped
):
    sign_in(make_user("agent", name="小周"))
    page.goto(f"{server_url}/roleplay/scenarios/aftersales-seven-day-return-dress")
    page.click("[data-testid=rp-start]")
    expect(page.locator("[data-testid=rp-transcript]")).to_contain_text("还能退吗")

    reply = _send(page, "您好，完全理解您的顾虑！麻烦发一下订单号，我帮您看一下。")
    expect(reply).to_contain_text("XHS2024110312876")
    reply = _send(page, "只是在家正常试穿、吊牌完好、没有洗涤的，退货没问题。")
    expect(reply).to_contain_text("运费要我自己出吗")  # the next open question, asked once
    reply = _send(page, "运费险会赔付首重运费，您寄出并填写快递单号后自动理赔。")
    expect(reply).to_contain_text("钱多久能退回来")
    reply = _send(page, "退款会尽快原路退回的。")
    expect(reply).to_have_text(re.compile("具体多久呀"))  # a vague answer is not enough
    fill_reply(
        page,
        "商家收到退货后 48 小时内审核，通过后原路退回，一般 1-3 个工作日到账。"
        "您在订单页点「申请售后」提交就行。",
    )
    page.click("[data-testid=rp-send]")
    # The customer thanks the agent and the chat ends by itself, on to the grade.
    page.wait_for_url(re.compile(r".*/roleplay/sessions/\d+/result"))
    expect(page.locator("[data-testid=rp-end-reason]")).to_have_text("顾客满意")
    expect(page.locator("body")).to_contain_text("谢谢你这么耐心")
