"""Appeals in the browser: an agent appeals a rubric item, a trainer changes the score, and the
agent sees the new grade and the notification."""

import pytest
from playwright.sync_api import expect

from tests.conftest import login
from tests.mailfixtures import outbox  # noqa: F401 - mails go to a temporary outbox
from tests.roleplay.conftest import say, start_chat, tiny_spec
from trainer.extensions import db
from trainer.roleplay.models import RoleplaySession


@pytest.fixture
def graded_session(app, make_user):
    """An agent's graded role-play of the small test scenario (no apology: empathy scores low)."""
    from trainer.roleplay import catalog
    from trainer.roleplay.scenarios import normalise

    spec, problems = normalise(tiny_spec())
    assert problems == []
    catalog.save_version(spec, None, source="file", publish=True)
    db.session.commit()
    agent = make_user("agent", name="小美")
    csrf = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = False  # the set-up chat uses the test client, not the page
    client = app.test_client()
    login(client, agent)
    session_id = start_chat(client, "tiny-parcel")
    say(client, session_id, "请发一下照片。")
    client.post(f"/roleplay/sessions/{session_id}/end")
    app.config["WTF_CSRF_ENABLED"] = csrf
    db.session.expire_all()
    return agent, db.session.get(RoleplaySession, session_id)


def _sign_out(page):
    page.click(".user-menu summary")
    page.click("[data-testid=logout]")


def test_agent_appeals_trainer_answers_agent_sees_grade_and_notice(
    app,
    page,
    server_url,
    make_user,
    sign_in,
    graded_session,
    outbox,  # noqa: F811
):
    agent, session = graded_session
    trainer = make_user("trainer", name="王老师")
    result_url = f"{server_url}/roleplay/sessions/{session.id}/result"
    empathy = page.locator("tr[data-item=empathy]")

    sign_in(agent)
    page.goto(result_url)
    old_score = empathy.locator("[data-testid=rp-item-score]").inner_text()
    empathy.locator("[data-testid=appeal-link]").click()
    page.fill("textarea[name=reason]", "我一开始就道歉了，请复核。")
    page.click("[data-testid=appeal-submit]")
    expect(page.locator("[data-testid=my-appeal]")).to_contain_text("请复核")
    _sign_out(page)

    sign_in(trainer)
    page.goto(f"{server_url}/appeals/")
    page.locator("[data-testid=appeal-queue] a").first.click()
    expect(page.locator("[data-testid=appeal-reason]")).to_contain_text("请复核")
    page.check("input[name=decision][value=change]")
    page.select_option("select[name=score]", "5")
    page.fill("textarea[name=comment]", "确实有道歉，改为满分。")
    page.click("[data-testid=appeal-decide-submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    _sign_out(page)

    sign_in(agent)
    # "grade ready" from the chat, then "appeal answered"
    expect(page.locator("[data-testid=unread-count]")).to_have_text("2")
    page.click("[data-testid=bell]")
    notice = page.locator("[data-testid=notifications] li[data-kind=appeal_answered]")
    expect(notice).to_contain_text("小测试：包裹破损")
    notice.locator("button.primary").click()
    page.wait_for_url(result_url)
    new_score = empathy.locator("[data-testid=rp-item-score]").inner_text()
    assert new_score != old_score
    expect(empathy.locator("[data-testid=rp-override]")).to_contain_text("确实有道歉")
    expect(page.locator("[data-testid=unread-count]")).to_have_text("1")
