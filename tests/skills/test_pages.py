"""Skills pages: my skills, drill-down, heatmap + CSV, did it work, settings, map editor."""

from tests.conftest import login
from trainer.core import events
from trainer.extensions import db
from trainer.skills.models import AUTO, SkillMapVersion, SkillSetting


def _weak_agent(make_user, make_graded, team=None, name=None):
    agent = make_user("agent", team=team, name=name)
    session = make_graded(agent, "aftersales-seven-day-return-dress", {"checked_condition": 0})
    events.roleplay_graded.send(grade=None, session_id=session.id)
    db.session.commit()
    return agent


def test_agent_sees_next_steps_with_reason_on_home_and_my_skills(
    app, content, make_user, make_graded, request
):
    agent = _weak_agent(make_user, make_graded)
    client = app.test_client()
    login(client, agent)
    request.getfixturevalue("no_writes_on_get")  # fails the test on any GET write
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="home-next-steps"' in home
    assert "留痕与证据" in home and "直播说" in home  # lesson and re-drill, by name
    assert "确认商品状态" in home  # the reason names the missed rubric item
    page = client.get("/skills/").get_data(as_text=True)
    assert 'data-skill="verify_facts"' in page and 'data-level="weak"' in page


def test_heatmap_for_managers_is_their_team_and_exports_csv(
    app, content, make_user, make_team, make_graded, request
):
    manager = make_user("manager")
    mine, other = make_team("红队", manager), make_team("蓝队")
    manager.team_id = mine.id
    db.session.commit()
    ours = _weak_agent(make_user, make_graded, team=mine, name="=HYPERLINK(1)")
    theirs = _weak_agent(make_user, make_graded, team=other, name="Other agent")
    client = app.test_client()
    login(client, manager)
    request.getfixturevalue("no_writes_on_get")
    page = client.get("/skills/team").get_data(as_text=True)
    assert ours.email in page and theirs.email not in page
    assert 'aria-label="' in page  # levels in words, not colour alone
    assert client.get(f"/skills/agents/{theirs.id}").status_code == 404
    assert client.get(f"/skills/agents/{ours.id}").status_code == 200
    weak = client.get("/skills/team?skill=verify_facts&level=proficient").get_data(as_text=True)
    assert ours.email not in weak
    csv_text = client.get("/skills/team.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in csv_text and "Other agent" not in csv_text
    assert client.get("/skills/effects").status_code == 200


def test_settings_form_saves_and_refuses_bad_values(content, trainer_client):
    ok = trainer_client.post(
        "/skills/settings", data={"skill": "verify_facts", "mode": AUTO, "due_days": "3"}
    )
    assert ok.status_code == 302
    row = db.session.scalar(db.select(SkillSetting))
    assert (row.skill, row.mode, row.due_days) == ("verify_facts", AUTO, 3)
    bad = trainer_client.post(
        "/skills/settings", data={"skill": "verify_facts", "mode": AUTO, "due_days": "0"}
    )
    assert bad.status_code == 200
    unknown = trainer_client.post(
        "/skills/settings", data={"skill": "nope", "mode": AUTO, "due_days": "3"}
    )
    assert unknown.status_code == 200
    db.session.expire_all()
    assert db.session.scalar(db.select(SkillSetting.due_days)) == 3


def test_map_editor_reports_unknown_references_by_line(content, trainer_client):
    from trainer.skills.store import shipped_path

    text = (
        shipped_path()
        .read_text(encoding="utf-8")
        .replace("platform-orders/order-lifecycle", "platform-orders/no-such-lesson", 1)
    )
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "no-such-lesson" in t)
    response = trainer_client.post("/skills/map", data={"content": text})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and f"{line}" in body and "no-such-lesson" in body
    before = db.session.scalar(db.select(db.func.count(SkillMapVersion.id)))
    good = shipped_path().read_text(encoding="utf-8") + "\n"
    assert trainer_client.post("/skills/map", data={"content": good}).status_code == 302
    assert db.session.scalar(db.select(db.func.count(SkillMapVersion.id))) == before + 1


def test_staff_only(content, agent_client):
    assert agent_client.get("/skills/team").status_code == 403
    assert agent_client.get("/skills/settings").status_code == 403
