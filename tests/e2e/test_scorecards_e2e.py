"""A manager reads the team scorecard and approves a promotion; the agent sees the certificate."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from trainer.certification import services
from trainer.core.clock import utcnow
from trainer.core.evidence import QuizPass, RoleplayResult
from trainer.courses import achievements as course_api
from trainer.extensions import db
from trainer.quizzes import achievements as quiz_api
from trainer.roleplay import achievements as roleplay_api
from trainer.scorecards.models import KpiRecord

L1_COURSES = ("service-foundations", "platform-orders", "after-sales", "compliance")
L1_QUIZZES = ("platform-rules", "returns-consumer-protection", "anti-fraud-privacy")


@pytest.fixture
def promotion_ready(make_team, make_user, monkeypatch):
    """A team whose agent has met every L1 requirement, with the promotion proposed."""
    manager = make_user("manager", name="张主管")
    team = make_team("华东直播客服组", manager)
    agent = make_user("agent", team=team, name="李小美")
    teammate = make_user("agent", team=team, name="王芳")
    now = utcnow()
    courses = {agent.id: {slug: now - timedelta(days=10) for slug in L1_COURSES}}
    passes = {
        agent.id: {
            slug: QuizPass(slug, 92, now - timedelta(days=5), now + timedelta(days=175))
            for slug in L1_QUIZZES
        }
    }
    plays = {
        agent.id: [
            RoleplayResult(
                i,
                "aftersales-seven-day-return-dress",
                1,
                82,
                True,
                False,
                now - timedelta(days=i + 1),
                True,
            )
            for i in range(3)
        ]
    }
    monkeypatch.setattr(
        course_api, "completed_courses", lambda ids: {i: courses.get(i, {}) for i in ids}
    )
    monkeypatch.setattr(quiz_api, "quiz_passes", lambda ids: {i: passes.get(i, {}) for i in ids})
    monkeypatch.setattr(
        roleplay_api, "roleplay_results", lambda ids, since=None: {i: plays.get(i, []) for i in ids}
    )
    for days_ago in range(1, 31):
        day = (now - timedelta(days=days_ago)).date()
        db.session.add(
            KpiRecord(
                agent_id=agent.id,
                day=day,
                conversations=90,
                first_response_seconds=24,
                response_rate=99.2,
                resolution_rate=98.6,
                csat=4.72,
                csat_responses=30,
                repeat_contact_rate=6.1,
                qa_score=93,
            )
        )
        db.session.add(
            KpiRecord(
                agent_id=teammate.id,
                day=day,
                conversations=70,
                first_response_seconds=58,
                response_rate=95,
                resolution_rate=90,
                csat=4.2,
                repeat_contact_rate=11,
            )
        )
    db.session.commit()
    services.sweep([agent, teammate])
    db.session.commit()
    return manager, agent, teammate


def test_manager_approves_promotion_and_agent_sees_certificate(
    page, server_url, sign_in, promotion_ready
):
    manager, agent, teammate = promotion_ready
    sign_in(manager)
    page.click("[data-testid=nav-group-performance] summary")  # the menu's 绩效 group
    page.click("nav >> text=团队计分卡")
    table = page.locator("[data-testid=team-table]")
    expect(table).to_contain_text("李小美")
    expect(table).to_contain_text("王芳")
    # Sort by composite (best first on the first click): the promotion candidate leads.
    page.click("th >> text=综合分")
    expect(page).to_have_url(f"{server_url}/scorecards/team?sort=composite&dir=desc")
    expect(page.locator("[data-testid=team-table] tbody tr").first).to_contain_text("李小美")

    page.click("nav >> text=认证")
    proposal = page.locator(f"[data-testid='proposal-{agent.email}']")
    expect(proposal).to_contain_text("L0 → L1")
    proposal.locator("textarea[name=reason]").first.fill("各项指标稳定达标，同意晋升。")
    proposal.locator("[data-testid=approve]").click()
    expect(page.locator(".flash-success")).to_contain_text("李小美")
    expect(page.locator("[data-testid=team-levels]")).to_contain_text("L1 认证客服")

    page.click(".user-menu summary")
    page.click("[data-testid=logout]")
    sign_in(agent)
    page.click("nav >> text=我的等级")
    expect(page.locator("[data-testid=current-level]")).to_have_text("L1 认证客服")
    page.click("[data-testid=certificate-link]")
    certificate = page.locator("[data-testid=certificate]")
    expect(certificate).to_contain_text("李小美")
    expect(certificate).to_contain_text("L1 认证客服")
    code = certificate.locator(".certificate-code strong").inner_text()

    # Anyone can check the certificate with its code, and sees nothing more than the essentials.
    page.goto(f"{server_url}/verify/")
    page.fill("input[name=code]", code.lower())
    page.click("form.form button[type=submit]")
    verification = page.locator("[data-testid=verification]")
    expect(verification).to_contain_text("证书有效")
    expect(verification).to_contain_text("李小美")
    expect(verification).not_to_contain_text(agent.email)


def test_manager_pages_through_a_long_team_in_the_chosen_order(
    page, server_url, sign_in, make_team, make_user, monkeypatch
):
    """The team list comes a page at a time; the next page continues the chosen sort, and the
    first page link starts it again."""
    from trainer.scorecards import teamcard

    monkeypatch.setattr(teamcard, "PAGE_SIZE", 2)
    manager = make_user("manager", name="赵主管")
    team = make_team("大促临时组", manager)
    names = ["一号", "二号", "三号", "四号", "五号"]
    now = utcnow()
    for n, name in enumerate(names):
        agent = make_user("agent", team=team, name=f"客服{name}")
        for days_ago in range(1, 11):
            db.session.add(
                KpiRecord(
                    agent_id=agent.id,
                    day=(now - timedelta(days=days_ago)).date(),
                    conversations=80,
                    first_response_seconds=30,
                    response_rate=98,
                    resolution_rate=95,
                    csat=4.0 + n / 10,  # the later the agent, the better the composite
                    csat_responses=30,
                    repeat_contact_rate=8,
                    qa_score=90,
                )
            )
    db.session.commit()

    sign_in(manager)
    page.goto(f"{server_url}/scorecards/team")
    page.click("th >> text=综合分")  # best first
    rows = page.locator("[data-testid=team-table] tbody tr")
    expect(rows.first).to_contain_text("客服五号")
    shown = [row.inner_text() for row in rows.all()]
    while page.locator("[data-testid=team-next]").count():
        page.click("[data-testid=team-next]")
        expect(rows.first).not_to_have_text(shown[-2])  # the next page has arrived
        shown += [row.inner_text() for row in rows.all()]
    in_order = [f"客服{name}" for name in reversed(names)]
    assert [next(n for n in in_order if n in row) for row in shown] == in_order
    expect(page.locator("[data-testid=team-pager]")).to_contain_text("5")
    page.click("[data-testid=team-first]")
    expect(page).to_have_url(f"{server_url}/scorecards/team?sort=composite&dir=desc")
    expect(rows.first).to_contain_text("客服五号")
