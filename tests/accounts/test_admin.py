"""Admin pages for users and teams."""

from trainer.accounts.models import Team, User
from trainer.core.audit import AuditEvent
from trainer.extensions import db


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count(model.id)))


def test_admin_creates_and_edits_user(admin_client, make_team):
    team = make_team("华南组")
    response = admin_client.post(
        "/admin/users/new",
        data={
            "email": "new@example.org",
            "name": "新人",
            "role": "agent",
            "team_id": team.id,
            "active": "y",
            "password": "Quiet-River-Stone-42",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "new@example.org"))
    assert user.team_id == team.id and user.active
    response = admin_client.post(
        f"/admin/users/{user.id}",
        data={
            "email": "new@example.org",
            "name": "新人二",
            "role": "trainer",
            "team_id": 0,
            "active": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.name, user.role, user.team_id) == ("新人二", "trainer", None)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user.update"))
    assert event.data["before"]["role"] == "agent" and event.data["after"]["role"] == "trainer"


def test_bad_user_input_changes_nothing(admin_client, make_user):
    existing = make_user("agent")
    before = _count(User)
    for data in (
        {"email": "x@example.org", "name": "X", "role": "agent", "team_id": 0, "password": "short"},
        {
            "email": existing.email,
            "name": "X",
            "role": "agent",
            "team_id": 0,
            "password": "Quiet-River-Stone-42",
        },
        {
            "email": "not-an-email",
            "name": "X",
            "role": "agent",
            "team_id": 0,
            "password": "Quiet-River-Stone-42",
        },
        {
            "email": "y@example.org",
            "name": "<script>alert(1)</script>",
            "role": "god",
            "team_id": 0,
            "password": "Quiet-River-Stone-42",
        },
        {
            "email": "z@example.org",
            "name": "Z",
            "role": "agent",
            "team_id": "abc",
            "password": "Quiet-River-Stone-42",
        },
    ):
        response = admin_client.post("/admin/users/new", data=data)
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert _count(User) == before


def test_admin_cannot_demote_or_deactivate_self(app, login_as):
    client, admin = login_as("admin")
    response = client.post(
        f"/admin/users/{admin.id}",
        data={
            "email": admin.email,
            "name": admin.name,
            "role": "agent",
            "team_id": 0,
            "active": "y",
        },
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == "admin"


def test_reset_password_signs_user_out(app, admin_client, make_user):
    from tests.conftest import login

    user = make_user("agent")
    client = app.test_client()
    login(client, user)
    response = admin_client.post(
        f"/admin/users/{user.id}/password", data={"reset-password": "Quiet-River-Stone-42"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    login(app.test_client(), user, "Quiet-River-Stone-42")


def test_teams_with_manager(admin_client, make_user):
    manager = make_user("manager")
    agent = make_user("agent")
    assert (
        admin_client.post(
            "/admin/teams", data={"name": "直播组", "manager_id": manager.id}
        ).status_code
        == 302
    )
    team = db.session.scalar(db.select(Team).where(Team.name == "直播组"))
    assert team.manager_id == manager.id
    # An agent cannot lead a team; nothing changes.
    response = admin_client.post(
        f"/admin/teams/{team.id}", data={"name": "直播组", "manager_id": agent.id}
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Team, team.id).manager_id == manager.id
    duplicate = admin_client.post("/admin/teams", data={"name": "直播组", "manager_id": 0})
    assert duplicate.status_code == 200
    assert _count(Team) == 1
    page = admin_client.get("/admin/teams").get_data(as_text=True)
    assert "直播组" in page


def test_user_list_query_count_is_bounded(app, admin_client, make_user, make_team, count_queries):
    team = make_team()
    for _ in range(3):
        make_user("agent", team=team)
    with count_queries() as small:
        admin_client.get("/admin/users")
    for _ in range(15):
        make_user("agent", team=team)
    with count_queries() as large:
        assert admin_client.get("/admin/users").status_code == 200
    assert large.count == small.count


def test_audit_log_page_and_admin_home(admin_client, make_user):
    make_user("agent", name="审计对象")
    page = admin_client.get("/audit?kind=user.create")
    assert page.status_code == 200
    assert 'data-action="user.create"' in page.get_data(as_text=True)
    home = admin_client.get("/").get_data(as_text=True)
    assert "人员" in home and "管理用户" in home


def test_security_events_are_logged(app, make_user, caplog):
    import logging

    from tests.conftest import login

    user = make_user("agent")
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="trainer.security"):
        client.post("/login", data={"email": user.email, "password": "wrong-password-1"})
        login(client, user)
        client.get("/admin/users")
    messages = [r.getMessage() for r in caplog.records]
    assert any("wrong password" in m for m in messages)
    assert any(m.startswith("login: user=") for m in messages)
    assert any("authorisation refused" in m for m in messages)
