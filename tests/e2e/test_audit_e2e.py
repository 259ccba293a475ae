"""A manager finds who changed an agent's role-play score, and why, in the audit log."""

import pytest
from playwright.sync_api import expect

from trainer.core import audit
from trainer.extensions import db


class Grade:
    """A role-play grade as the audit log sees it: a row owned by a session's agent."""

    __tablename__ = "roleplay_grades"

    def __init__(self, grade_id: int, agent_id: int):
        self.id = grade_id
        self.session = type("Session", (), {"user_id": agent_id})()


@pytest.fixture
def overridden(make_team, make_user):
    """Trainer 李四 overrode two agents' role-play scores; the manager leads 张三's team."""
    manager = make_user("manager", name="赵主管")
    team = make_team("华东直播客服组", manager)
    zhang = make_user("agent", team=team, name="张三")
    chen = make_user("agent", team=team, name="陈七")
    li = make_user("trainer", name="李四")
    for grade_id, agent, before, after in ((1, zhang, 62, 75), (2, chen, 40, 55)):
        audit.record(
            li,
            "roleplay.override",
            Grade(grade_id, agent.id),
            before={"item": "empathy", "score": before},
            after={"item": "empathy", "score": after},
            comment="客户情绪安抚到位，自动评分偏低",
        )
    audit.record(li, "course.assign", zhang, user_ids=[zhang.id], due_at=None)
    db.session.commit()
    return manager, zhang


def test_manager_filters_by_agent_and_override_and_reads_the_entry(
    page, server_url, sign_in, overridden
):
    manager, zhang = overridden
    sign_in(manager)
    page.click("nav >> text=审计日志")
    page.select_option("[data-testid=filter-person]", str(zhang.id))
    page.select_option("[data-testid=filter-kind]", "override")
    page.click("[data-testid=filter-apply]")
    rows = page.locator("[data-testid=audit-log] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("改判角色扮演评分")
    rows.first.locator("[data-testid=open-entry]").click()
    sentence = page.locator("[data-testid=audit-entry] [data-testid=audit-sentence]")
    expect(sentence).to_have_text(
        "培训师 李四 将 张三 的角色扮演评分从 62 改为 75：理由 客户情绪安抚到位，自动评分偏低"
    )
    expect(page.locator("[data-testid=audit-entry]")).to_contain_text("62")
    expect(page.locator("[data-testid=audit-raw]")).to_have_count(0)  # raw JSON: admins only
