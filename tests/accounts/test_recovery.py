"""Account recovery: reset links by mail (same answer for unknown addresses, single use, 30
minutes, rate-limited, sessions revoked) and one-time links made by an admin."""

import re
from datetime import timedelta

import time_machine

from tests.conftest import PASSWORD, login
from tests.mailfixtures import body_of, outbox, read_eml, smtp  # noqa: F401
from trainer.accounts.models import AuthSession
from trainer.accounts.passwords import verify_password
from trainer.accounts.recovery import PasswordResetToken
from trainer.core.clock import utcnow
from trainer.extensions import db

NEW_PASSWORD = "Lantern-Orbit-Maple-42"


def _link_in(text: str) -> str:
    return re.search(r"http://127\.0\.0\.1:5000(/password/reset/[\w-]+)", text).group(1)


def _outbox_link(folder) -> str:
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 1
    return _link_in(read_eml(files[0]))


def test_the_answer_is_the_same_for_known_and_unknown_addresses(app, client, make_user, outbox):  # noqa: F811
    user = make_user("agent")
    known = client.post("/password/forgot", data={"email": user.email})
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    flashes = [client.get("/login").get_data(as_text=True) for _ in range(1)]
    assert "reset link" in flashes[0] or "重置链接" in flashes[0]
    files = list(outbox.glob("*.eml"))
    assert len(files) == 1 and user.email in files[0].read_text()


def test_only_a_hash_of_the_token_is_stored(app, client, make_user, outbox):  # noqa: F811
    user = make_user("agent")
    client.post("/password/forgot", data={"email": user.email.upper()})
    raw = _outbox_link(outbox).rsplit("/", 1)[1]
    token = db.session.scalar(db.select(PasswordResetToken))
    assert token.user_id == user.id and raw not in token.token_hash
    assert raw not in str(db.session.execute(db.text("SELECT args FROM job_runs")).all())


def test_reset_sets_the_password_once_and_ends_every_session(app, client, make_user, outbox):  # noqa: F811
    user = make_user("agent")
    signed_in = app.test_client()
    login(signed_in, user)
    client.post("/password/forgot", data={"email": user.email})
    link = _outbox_link(outbox)
    assert client.get(link).status_code == 200
    weak = client.post(link, data={"password": "short", "confirm": "short"})
    assert weak.status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    db.session.expire_all()
    assert verify_password(user.password_hash, NEW_PASSWORD)
    live = db.session.scalars(
        db.select(AuthSession).where(
            AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None)
        )
    ).all()
    assert live == []
    assert signed_in.get("/").status_code == 302  # the old session is gone
    again = client.post(
        link, data={"password": "Another-Long-Pass-77", "confirm": "Another-Long-Pass-77"}
    )
    assert again.status_code == 302 and "/password/forgot" in again.headers["Location"]
    db.session.expire_all()
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_links_expire_after_30_minutes(app, client, make_user, outbox):  # noqa: F811
    user = make_user("agent")
    client.post("/password/forgot", data={"email": user.email})
    link = _outbox_link(outbox)
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "/password/forgot" in response.headers["Location"]
    db.session.expire_all()
    assert verify_password(user.password_hash, PASSWORD)


def test_asking_is_rate_limited_per_address(app, client, make_user, outbox):  # noqa: F811
    user = make_user("agent")
    codes = [
        client.post("/password/forgot", data={"email": user.email}).status_code for _ in range(4)
    ]
    assert codes == [302, 302, 302, 429]


def test_mail_goes_through_smtp_in_the_users_language(app, client, make_user, smtp):  # noqa: F811
    user = make_user("agent")
    user.locale = "en"
    db.session.commit()
    client.post("/password/forgot", data={"email": user.email})
    message = smtp.wait(1)[0]
    assert message["Subject"] == "Reset your password"
    assert "/password/reset/" in body_of(message)


def test_admin_makes_a_one_time_link_never_a_password(app, login_as, make_user, client, outbox):  # noqa: F811
    admin_client, _admin = login_as("admin")
    user = make_user("agent")
    response = admin_client.post(f"/admin/users/{user.id}/reset-link")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    link = _link_in(page)
    assert PASSWORD not in page
    agent_client, _ = login_as("agent")
    assert agent_client.post(f"/admin/users/{user.id}/reset-link").status_code == 403
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_a_new_link_retires_the_older_one(app, client, make_user, outbox):  # noqa: F811
    user = make_user("agent")
    client.post("/password/forgot", data={"email": user.email})
    first = _outbox_link(outbox)
    for f in outbox.glob("*.eml"):
        f.unlink()
    client.post("/password/forgot", data={"email": user.email})
    second = _outbox_link(outbox)
    assert client.get(first).status_code == 302
    assert client.get(second).status_code == 200
