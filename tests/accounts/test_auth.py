"""Sign-in, sessions, revocation, timeouts, throttling and password rules."""

from datetime import timedelta

import time_machine

from tests.conftest import PASSWORD, login
from trainer.accounts.models import AuthSession, User
from trainer.accounts.passwords import password_problems
from trainer.core.audit import AuditEvent
from trainer.core.clock import utcnow
from trainer.extensions import db


def test_login_and_home(app, make_user):
    user = make_user("agent", name="小美")
    client = app.test_client()
    response = login(client, user)
    assert response.headers["Location"].endswith("/")
    page = client.get("/")
    assert page.status_code == 200
    assert "小美" in page.get_data(as_text=True)


def test_wrong_password_is_refused_without_saying_which_part(app, make_user, client):
    user = make_user("agent")
    response = client.post("/login", data={"email": user.email, "password": "wrong-password-x"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "邮箱或密码不正确" in body
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "whatever-1"})
    assert "邮箱或密码不正确" in unknown.get_data(as_text=True)


def test_login_rotates_session_and_logout_revokes_it(app, make_user):
    user = make_user("agent")
    client = app.test_client()
    client.get("/login")
    login(client, user)
    stolen_cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302  # signed out
    # Replaying the old cookie does not bring the session back: it was revoked on the server.
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen_cookie)
    assert replay.get("/").status_code == 302
    assert db.session.scalar(db.select(AuthSession.revoked_at)) is not None


def test_deactivated_user_loses_session_and_cannot_login(app, make_user, login_as):
    admin_client, admin = login_as("admin")
    user = make_user("agent")
    client = app.test_client()
    login(client, user)
    assert client.get("/").status_code == 200
    response = admin_client.post(
        f"/admin/users/{user.id}",
        data={"email": user.email, "name": user.name, "role": "agent", "team_id": 0},
    )  # `active` unchecked
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    again = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
    assert again.status_code == 200  # form shown again with an error
    actions = db.session.scalars(db.select(AuditEvent.action)).all()
    assert "user.update" in actions


def test_idle_and_absolute_timeouts(app, make_user):
    user = make_user("agent")
    with time_machine.travel(utcnow(), tick=False) as traveller:
        client = app.test_client()
        login(client, user)
        traveller.shift(timedelta(minutes=20))
        assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=31))
        assert client.get("/").status_code == 302  # idle too long
        login(client, user)
        for _ in range(25):  # keep active, but past the 12-hour absolute limit
            traveller.shift(timedelta(minutes=29))
            client.get("/")
        assert client.get("/").status_code == 302


def test_a_live_session_is_touched_once_a_minute_and_an_idle_one_revoked(
    app, make_user, count_queries
):
    user = make_user("agent")
    with time_machine.travel(utcnow(), tick=False) as traveller:
        client = app.test_client()
        login(client, user)
        started = db.session.scalar(db.select(AuthSession.last_seen_at))
        with count_queries() as counter:
            assert client.get("/healthz").status_code == 200
        assert sum("auth_sessions" in s for s in counter.statements) == 1  # the one lookup
        traveller.shift(timedelta(minutes=29))
        for _ in range(3):  # active within the idle limit: each request's touch keeps it alive
            assert client.get("/").status_code == 200
            traveller.shift(timedelta(minutes=29))
        db.session.expire_all()
        row = db.session.scalar(db.select(AuthSession))
        assert row.last_seen_at > started and row.revoked_at is None
        traveller.shift(timedelta(minutes=2))  # 31 minutes since the last request
        assert client.get("/").status_code == 302
        db.session.expire_all()
        assert db.session.scalar(db.select(AuthSession.revoked_at)) is not None


def test_login_is_throttled_per_account_without_locking_others(app, make_user, client):
    user = make_user("agent")
    other = make_user("agent")
    for _ in range(5):
        client.post("/login", data={"email": user.email, "password": "bad-guess-123"})
    throttled = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert throttled.status_code == 429
    # The throttle is per client and account: the same client may still sign in as someone else.
    assert (
        client.post("/login", data={"email": other.email, "password": PASSWORD}).status_code == 302
    )
    # And the real owner from another address is not locked out.
    owner = app.test_client()
    response = owner.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert response.status_code == 302


def test_password_rules(app):
    assert password_problems("short")
    assert password_problems("password123")  # in the common list
    assert password_problems("aaaaaaaaaaaa")
    assert password_problems("zhangsan-secret-1", email="zhangsan@example.org")
    assert password_problems("Quiet-River-Stone-42") == []


def test_hash_is_argon2id_above_owasp_floor(app):
    from trainer.config import Config

    assert Config.ARGON2_MEMORY_COST >= 19 * 1024 and Config.ARGON2_TIME_COST >= 2
    user = User(email="x@example.org", name="x", role="agent", password_hash="")
    from trainer.accounts.passwords import hash_password

    user.password_hash = hash_password("Quiet-River-Stone-42")
    assert user.password_hash.startswith("$argon2id$")


def test_change_own_password(app, login_as):
    client, user = login_as("agent")
    bad = client.post(
        "/account/password",
        data={
            "current_password": "nope-nope-nope",
            "new_password": "Quiet-River-Stone-42",
            "confirm": "Quiet-River-Stone-42",
        },
    )
    assert bad.status_code == 200
    ok = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "Quiet-River-Stone-42",
            "confirm": "Quiet-River-Stone-42",
        },
    )
    assert ok.status_code == 302
    login(app.test_client(), user, "Quiet-River-Stone-42")


def test_open_redirect_is_refused(app, make_user):
    user = make_user("agent")
    client = app.test_client()
    response = client.post(
        "/login?next=//evil.example/x", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_language_switch_is_a_post_and_sticks_to_the_user(app, login_as):
    client, user = login_as("agent")
    assert client.get("/locale").status_code == 405
    client.post("/locale", data={"locale": "en", "next": "/"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    assert "Sign out" in client.get("/").get_data(as_text=True)
    client.post("/locale", data={"locale": "zh_CN", "next": "/"})
    assert "退出登录" in client.get("/").get_data(as_text=True)
    client.post("/locale", data={"locale": "xx", "next": "https://evil.example"})
    assert "退出登录" in client.get("/").get_data(as_text=True)


def test_changing_own_password_signs_out_every_other_session(app, make_user):
    from tests.conftest import login

    user = make_user("agent")
    stolen, own = app.test_client(), app.test_client()
    login(stolen, user)
    login(own, user)
    response = own.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "Quiet-River-Stone-42",
            "confirm": "Quiet-River-Stone-42",
        },
    )
    assert response.status_code == 302
    assert own.get("/").status_code == 200  # the person who changed it stays signed in
    assert stolen.get("/").status_code == 302  # every other session is gone


def test_no_more_than_a_few_passwords_are_hashed_at_once(app, monkeypatch):
    # 64 MiB per argon2 hash: a worker's threads must not all hash at the same moment.
    import threading

    from trainer.accounts import passwords

    running, most, lock = [0], [0], threading.Lock()
    release = threading.Event()

    class SlowHasher:
        def hash(self, password):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            release.wait(timeout=5)
            with lock:
                running[0] -= 1
            return "hashed"

    monkeypatch.setattr(passwords, "_hasher", SlowHasher)
    threads = [
        threading.Thread(target=passwords.hash_password, args=("x",))
        for _ in range(passwords.HASHING_AT_ONCE + 4)
    ]
    for thread in threads:
        thread.start()
    for _ in range(100):
        with lock:
            if running[0] >= passwords.HASHING_AT_ONCE:
                break
        threading.Event().wait(0.02)
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert most[0] == passwords.HASHING_AT_ONCE
