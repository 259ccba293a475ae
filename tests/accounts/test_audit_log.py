"""The audit log people can read: words, people, filters, date range, CSV, raw details, scope."""

import csv
import html as htmllib
import io
from datetime import UTC, datetime

import time_machine

from tests.conftest import login
from trainer.core import audit
from trainer.extensions import db


class FakeGrade:
    """Stands in for a role-play grade: a row of roleplay_grades owned by a session's agent."""

    __tablename__ = "roleplay_grades"

    def __init__(self, grade_id: int, agent_id: int):
        self.id = grade_id
        self.session = type("Session", (), {"user_id": agent_id})()


def _world(make_user, make_team):
    """A manager's team with 张三 (agent) and trainer 李四; another team's agent 王五."""
    manager = make_user("manager", name="赵主管")
    team = make_team("华东直播客服组", manager)
    zhang = make_user("agent", name="张三", team=team)
    li = make_user("trainer", name="李四")
    other_manager = make_user("manager", name="钱主管")
    wang = make_user("agent", name="王五", team=make_team("华南组", other_manager))
    for agent, before, after in ((zhang, 62, 75), (wang, 50, 70)):
        audit.record(
            li,
            "roleplay.override",
            FakeGrade(agent.id, agent.id),
            before={"item": "empathy", "score": before},
            after={"item": "empathy", "score": after},
            comment="客户明确表达了不满，安抚到位",
        )
    audit.record(li, "course.assign", zhang, user_ids=[zhang.id], due_at=None)
    db.session.commit()
    return manager, zhang, wang


def _client(app, user, locale="zh_CN"):
    client = app.test_client()
    login(client, user)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN" if locale == "zh_CN" else "en"
    return client


def test_an_override_reads_as_a_sentence_in_chinese(app, make_user, make_team):
    manager, zhang, _wang = _world(make_user, make_team)
    response = _client(app, manager).get(f"/audit?person={zhang.id}&kind=override")
    html = htmllib.unescape(response.get_data(as_text=True))
    assert "培训师 李四 将 张三 的角色扮演评分从 62 改为 75：理由 客户明确表达了不满" in html
    assert "\\u" not in html


def test_the_same_entry_in_english(app, make_user, make_team):
    manager, zhang, _wang = _world(make_user, make_team)
    response = _client(app, manager, "en").get("/audit?kind=override")
    html = htmllib.unescape(response.get_data(as_text=True))
    assert "Trainer 李四 changed 张三's role-play score from 62 to 75: reason:" in html


def test_a_manager_sees_only_the_team_and_no_raw_details(app, make_user, make_team):
    manager, zhang, _wang = _world(make_user, make_team)
    html = _client(app, manager).get("/audit").get_data(as_text=True)
    assert "张三" in html and "王五" not in html
    assert "audit-raw" not in html and f'href="/certification/agents/{zhang.id}"' in html
    other = db.session.scalar(
        db.select(audit.AuditEvent).where(audit.AuditEvent.subject_user_id == _wang.id)
    )
    assert _client(app, manager).get(f"/audit/{other.id}").status_code == 404


def test_admins_see_everything_with_unescaped_pretty_json(app, make_user, make_team, login_as):
    _world(make_user, make_team)
    client, _admin = login_as("admin")
    html = client.get("/audit").get_data(as_text=True)
    assert "王五" in html and "张三" in html
    assert '"comment": "客户明确表达了不满，安抚到位"' in html.replace("&#34;", '"')
    assert 'href="/admin/users/' in html


def test_filters_by_kind_person_and_object(app, make_user, make_team, login_as):
    _manager, zhang, wang = _world(make_user, make_team)
    client, _admin = login_as("admin")
    assert (
        client.get(f"/audit?person={wang.id}&kind=override")
        .get_data(as_text=True)
        .count("data-action=")
        == 1
    )
    assert client.get("/audit?kind=course.assign").get_data(as_text=True).count("data-action=") == 1
    assert (
        client.get("/audit?type=roleplay_grades").get_data(as_text=True).count("data-action=") == 2
    )
    html = client.get(f"/audit?type=roleplay_grades&object={zhang.id}").get_data(as_text=True)
    assert html.count("data-action=") == 1


def test_date_range_is_in_the_organisation_zone(app, make_user, make_team, login_as):
    client, admin = login_as("admin")
    with time_machine.travel(datetime(2026, 11, 10, 16, 30, tzinfo=UTC), tick=False):
        audit.record(admin, "team.update", admin, before={"name": "a"}, after={"name": "b"})
        db.session.commit()
    on_11th = client.get("/audit?kind=team.update&start=2026-11-11&end=2026-11-11").get_data(
        as_text=True
    )
    on_10th = client.get("/audit?kind=team.update&start=2026-11-10&end=2026-11-10").get_data(
        as_text=True
    )
    assert on_11th.count("data-action=") == 1 and on_10th.count("data-action=") == 0
    assert "2026-11-11 00:30" in on_11th


def test_bad_filters_give_a_message_not_an_error(app, login_as):
    client, _admin = login_as("admin")
    response = client.get("/audit?start=yesterday&person=abc&page=x")
    assert response.status_code == 200
    assert "不是" in response.get_data(as_text=True)


def test_csv_export_is_filtered_safe_and_carries_the_offset(app, make_user, make_team):
    manager, zhang, _wang = _world(make_user, make_team)
    tricky = make_user("agent", name="=SUM(1)", team=zhang.team)
    audit.record(manager, "user.update", tricky, before={"active": True}, after={"active": False})
    db.session.commit()
    body = _client(app, manager).get("/audit.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    people = {r["person"] for r in rows}
    assert "张三" in people and "王五" not in people  # the manager's team only
    assert "'=SUM(1)" in people  # a spreadsheet shows it as text, never runs it
    assert all(r["at"].endswith("+08:00") for r in rows)
    override = next(r for r in rows if r["action"] == "roleplay.override")
    assert override["description"].startswith("培训师 李四 将 张三 的角色扮演评分从 62 改为 75")


def test_an_unknown_action_still_reads(app, make_user, login_as):
    client, admin = login_as("admin")
    agent = make_user("agent", name="孙六")
    audit.record(admin, "gadget.polish", agent, before={"shine": 1}, after={"shine": 2})
    db.session.commit()
    html = client.get("/audit?kind=gadget.polish").get_data(as_text=True)
    assert "gadget.polish" in html and "<code>shine</code>: 1 → 2" in html


def test_changes_read_as_words(app, make_user, login_as):
    """Known fields by name, yes/no as words, bilingual texts picked, keys marked as code."""
    client, admin = login_as("admin")
    agent = make_user("agent", name="周七")
    before = {"pass_mark": 60, "published": False, "title": {"zh_CN": "旧标题", "en": "Old"}}
    after = {"pass_mark": 80, "published": True, "title": {"zh_CN": "新标题", "en": "New"}}
    audit.record(admin, "quiz.update", agent, before=before, after=after, slug="x")
    audit.record(admin, "quiz.update", agent, before={"course_slug": "a-b"}, after={})
    db.session.commit()
    html = client.get("/audit?kind=quiz.update").get_data(as_text=True)
    assert "测验已修改" in html
    assert "及格分: 60 → 80" in html and "已发布: 否 → 是" in html
    assert "标题: 旧标题 → 新标题" in html
    assert "关联课程: <code>a-b</code> → —" in html
    assert "周七" in html
