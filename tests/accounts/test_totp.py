"""Two-step sign-in: set up with a first code, codes asked at sign-in (once each), recovery
codes, and the site setting that makes it compulsory for some roles."""

import re

import pyotp

from tests.conftest import PASSWORD
from trainer.accounts import totp
from trainer.extensions import db


def _turn_on(client) -> tuple[str, list[str]]:
    page = client.post("/account/two-factor", data={"action": "start"}).get_data(as_text=True)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    wrong = client.post("/account/two-factor", data={"action": "confirm", "code": "000000"})
    assert "totp-secret" in wrong.get_data(as_text=True)  # still enrolling
    done = client.post(
        "/account/two-factor", data={"action": "confirm", "code": pyotp.TOTP(secret).now()}
    )
    assert done.headers["Cache-Control"] == "no-store"
    codes = re.findall(
        r"<li><code>([0-9a-f]{8}-[0-9a-f]{8})</code></li>", done.get_data(as_text=True)
    )
    assert len(codes) == totp.RECOVERY_CODES
    return secret, codes


def _password_step(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response.headers["Location"]


def test_sign_in_asks_for_a_code_once_it_is_on(app, login_as):
    client, manager = login_as("manager")
    secret, _codes = _turn_on(client)
    fresh = app.test_client()
    assert _password_step(fresh, manager).endswith("/login/two-factor")
    assert fresh.get("/").status_code == 302  # not signed in yet
    bad = fresh.post("/login/two-factor", data={"code": "123456"})
    assert bad.status_code == 200
    db.session.execute(db.text("UPDATE totp_credentials SET last_step = 0"))
    db.session.commit()
    ok = fresh.post("/login/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert ok.status_code == 302
    assert fresh.get("/").status_code == 200


def test_a_code_is_not_accepted_twice(app, login_as):
    client, manager = login_as("manager")
    secret, _codes = _turn_on(client)
    code = pyotp.TOTP(secret).now()  # the very code that confirmed the set-up
    fresh = app.test_client()
    _password_step(fresh, manager)
    assert fresh.post("/login/two-factor", data={"code": code}).status_code == 200


def test_a_recovery_code_works_once(app, login_as):
    client, manager = login_as("admin")
    _secret, codes = _turn_on(client)
    first = app.test_client()
    _password_step(first, manager)
    assert first.post("/login/two-factor", data={"code": codes[0]}).status_code == 302
    second = app.test_client()
    _password_step(second, manager)
    assert second.post("/login/two-factor", data={"code": codes[0]}).status_code == 200
    assert second.post("/login/two-factor", data={"code": codes[1]}).status_code == 302


def test_agents_cannot_turn_it_on(app, login_as):
    client, _agent = login_as("agent")
    assert client.post("/account/two-factor", data={"action": "start"}).status_code == 403


def test_the_site_setting_makes_it_compulsory(app, login_as):
    app.config["TRAINER_TOTP_REQUIRED_ROLES"] = "manager,admin"
    client, _manager = login_as("manager")
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/account/two-factor"
    )
    _turn_on(client)
    assert client.get("/").status_code == 200
    agent_client, _agent = login_as("agent")
    assert agent_client.get("/").status_code == 200
