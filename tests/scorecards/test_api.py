"""The KPI records API: per-integration tokens that write KPI records and nothing else."""

import hashlib

import pytest

from trainer.extensions import db
from trainer.scorecards import tokens
from trainer.scorecards.models import ApiToken, KpiRecord

URL = "/api/v1/kpi-records"


@pytest.fixture
def token(app, make_user):
    """An active token and its secret."""
    admin = make_user("admin")
    row, secret = tokens.create_token("Helpdesk nightly export", actor=admin)
    db.session.commit()
    return row, secret


@pytest.fixture
def agent(make_user):
    """An agent the records are about."""
    return make_user("agent", email="li@example.org")


def _auth(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def _count() -> int:
    return db.session.scalar(db.select(db.func.count(KpiRecord.id)))


def test_only_the_hash_is_stored(token):
    row, secret = token
    assert secret.startswith("trk_") and len(secret) > 40
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {row.name, row.prefix, row.token_hash}


def test_anonymous_and_bad_tokens_get_401(client, token, agent):
    body = {"records": [{"date": "2026-11-18", "agent_email": agent.email, "conversations": 5}]}
    assert client.post(URL, json=body).status_code == 401
    assert client.post(URL, json=body, headers=_auth("trk_not-a-real-token")).status_code == 401
    assert client.post(URL, json=body, headers={"Authorization": "Basic abc"}).status_code == 401
    response = client.post(URL, json=body)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "error" in response.get_json()
    assert _count() == 0


def test_valid_token_writes_records(client, token, agent, frozen_today):
    _row, secret = token
    body = {
        "records": [
            {"date": "2026-11-18", "agent_email": agent.email, "conversations": 120, "csat": 4.6},
            {"date": "2026-11-19", "agent_email": agent.email, "conversations": 80, "csat": None},
        ]
    }
    response = client.post(URL, json=body, headers=_auth(secret))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "created": 2,
        "updated": 0,
        "first_day": "2026-11-18",
        "last_day": "2026-11-19",
    }
    again = client.post(URL, json=body, headers=_auth(secret)).get_json()
    assert (again["created"], again["updated"]) == (0, 2)
    assert _count() == 2
    db.session.expire_all()
    assert db.session.get(ApiToken, _row.id).last_used_at is not None


def test_bad_records_get_422_with_row_numbers(client, token, agent, frozen_today):
    _row, secret = token
    body = {
        "records": [
            {"date": "2026-11-18", "agent_email": agent.email, "conversations": 120},
            {"date": "2026-11-18", "agent_email": "ghost@example.org", "conversations": 1},
            {"date": "yesterday", "agent_email": agent.email, "conversations": True},
            {"date": "2026-11-17", "agent_email": agent.email, "conversations": 3, "mood": "ok"},
        ]
    }
    response = client.post(URL, json=body, headers=_auth(secret))
    assert response.status_code == 422
    payload = response.get_json()
    assert {e["row"] for e in payload["errors"]} == {2, 3, 4}
    assert payload["unknown_agents"] == ["ghost@example.org"]
    assert _count() == 0


def test_staff_accounts_look_like_unknown_agents(client, token, make_user, frozen_today):
    _row, secret = token
    make_user("trainer", email="coach@example.org")
    emails = ["coach@example.org", "ghost@example.org"]
    records = [{"date": "2026-11-18", "agent_email": e, "conversations": 1} for e in emails]
    response = client.post(
        URL, json={"records": records}, headers={**_auth(secret), "Accept-Language": "en"}
    )
    assert response.status_code == 422
    payload = response.get_json()
    assert sorted(payload["unknown_agents"]) == emails
    messages = [e["message"] for e in payload["errors"]]
    assert messages == [f"Unknown agent {e}." for e in emails]
    assert _count() == 0


@pytest.mark.parametrize(
    "body",
    [[1, 2], {"records": "x"}, {"records": []}, {"rows": []}, {"records": [1]}],
)
def test_malformed_bodies_get_4xx_not_500(client, token, body):
    _row, secret = token
    response = client.post(URL, json=body, headers=_auth(secret))
    assert response.status_code in (400, 422)
    assert "error" in response.get_json()


def test_non_json_body(client, token):
    _row, secret = token
    response = client.post(URL, data="date,agent", headers=_auth(secret))
    assert response.status_code == 400


def test_revoked_token_stops_working(client, token, agent, make_user, frozen_today):
    row, secret = token
    tokens.revoke_token(row, actor=make_user("admin"))
    db.session.commit()
    body = {"records": [{"date": "2026-11-18", "agent_email": agent.email, "conversations": 5}]}
    assert client.post(URL, json=body, headers=_auth(secret)).status_code == 401


def test_token_opens_nothing_else(client, token):
    """The token is not a session: every other page still wants a sign-in."""
    _row, secret = token
    for path in ("/scorecards/team", "/admin/kpi/import", "/admin/kpi/tokens", "/"):
        response = client.get(path, headers=_auth(secret))
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    response = client.post("/admin/kpi/tokens", data={"name": "x"}, headers=_auth(secret))
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 1


def test_api_works_with_csrf_on(app, client, token, agent, frozen_today):
    """Integrations send no CSRF token; the API is exempt (it is not cookie-authenticated)."""
    app.config["WTF_CSRF_ENABLED"] = True
    _row, secret = token
    body = {"records": [{"date": "2026-11-18", "agent_email": agent.email, "conversations": 5}]}
    assert client.post(URL, json=body, headers=_auth(secret)).status_code == 200


def test_admin_creates_token_and_sees_it_once(app, login_as):
    client, _admin = login_as("admin")
    response = client.post("/admin/kpi/tokens", data={"name": "Zendesk"})
    body = response.get_data(as_text=True)
    row = db.session.scalar(db.select(ApiToken))
    assert 'data-testid="token-secret"' in body
    secret = body.split('data-testid="token-secret">')[1].split("<")[0]
    assert hashlib.sha256(secret.encode()).hexdigest() == row.token_hash
    listing = client.get("/admin/kpi/tokens").get_data(as_text=True)
    assert secret not in listing and row.prefix in listing


def test_admin_revokes_token(app, login_as, token):
    row, _secret = token
    client, _admin = login_as("admin")
    assert client.post(f"/admin/kpi/tokens/{row.id}/revoke").status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is not None


def test_only_admins_manage_tokens(app, login_as):
    for role in ("agent", "trainer", "manager"):
        client, _user = login_as(role)
        assert client.post("/admin/kpi/tokens", data={"name": "x"}).status_code == 403
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_cli_creates_token(runner):
    result = runner.invoke(args=["kpi", "create-token", "Nightly export"])
    assert result.exit_code == 0
    secret = result.output.strip().splitlines()[-1]
    assert tokens.token_from_header(f"Bearer {secret}") is not None


def test_a_concurrent_import_of_the_same_days_asks_for_a_retry(
    client, token, agent, monkeypatch, frozen_today
):
    """Another import inserts the same agent-day between check and write: 409, nothing written."""
    from trainer.scorecards import records

    def read_before_the_other_import(model, owner, rows):
        # We looked for existing days before the other import committed its row ...
        db.session.add(KpiRecord(agent_id=agent.id, day=rows[0]["day"], conversations=1))
        db.session.flush()
        return {}  # ... so we believe the day is new and try to insert it.

    monkeypatch.setattr(records, "existing_keys", read_before_the_other_import)
    _row, secret = token
    body = {"records": [{"date": "2026-11-18", "agent_email": agent.email, "conversations": 5}]}
    response = client.post(URL, json=body, headers=_auth(secret))
    assert response.status_code == 409
    assert response.get_json()["errors"][0]["row"] == 0
    assert _count() == 0
