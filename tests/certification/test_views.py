"""Certification pages: the agent's level, the manager's review, certificates, verification."""

import json
from datetime import timedelta

import pytest

from tests.certification.conftest import NOW
from tests.certification.pdffonts import pdf_fonts
from tests.conftest import login
from trainer.certification import services
from trainer.certification.models import Certificate, Certification
from trainer.extensions import db


@pytest.fixture
def proposed(team, fake_training, good_kpis, frozen_now):
    """An agent with every L1 requirement met and the promotion proposed."""
    _team, _manager, agent = team
    fake_training.complete_l1(agent)
    good_kpis(agent)
    services.sweep([agent])
    db.session.commit()
    return db.session.scalar(db.select(Certification).where(Certification.user_id == agent.id))


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def test_agent_sees_level_and_next_steps(app, team, fake_training, frozen_now):
    _team, _manager, agent = team
    body = (
        _client(app, agent)
        .get("/certification/", headers={"Accept-Language": "en"})
        .get_data(as_text=True)
    )
    assert 'data-testid="current-level">L0' in body
    assert 'data-key="compliance"' in body and 'class="requirement missing"' in body
    assert "/scorecards/" in body  # the KPI requirements link to the agent's scorecard


def test_agent_check_now_proposes_and_ignores_posted_fields(
    app, team, make_user, fake_training, good_kpis, frozen_now
):
    """Posting a level, a score or another agent's id changes nothing but the agent's own check."""
    _team, _manager, agent = team
    other = make_user("agent", team=agent.team)
    fake_training.complete_l1(agent)
    good_kpis(agent)
    client = _client(app, agent)
    response = client.post(
        "/certification/check",
        data={"level": "L3", "user_id": other.id, "status": "granted", "score": "100"},
    )
    assert response.status_code == 302
    certs = list(db.session.scalars(db.select(Certification)))
    assert [(c.user_id, c.level, c.status) for c in certs] == [(agent.id, "L1", "proposed")]


def test_agents_cannot_decide_or_grant(app, proposed, team):
    _team, _manager, agent = team
    client = _client(app, agent)
    assert client.post(f"/certification/proposals/{proposed.id}/approve").status_code == 403
    assert (
        client.post(
            f"/certification/agents/{agent.id}/grant",
            data={"grant-level": "L3", "grant-reason": "me"},
        ).status_code
        == 403
    )
    db.session.expire_all()
    assert db.session.get(Certification, proposed.id).status == "proposed"


def test_manager_reviews_and_approves(app, proposed, team):
    _team, manager, agent = team
    client = _client(app, manager)
    body = client.get("/certification/review").get_data(as_text=True)
    assert f'data-testid="proposal-{agent.email}"' in body
    response = client.post(
        f"/certification/proposals/{proposed.id}/approve", data={"reason": "同意"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    cert = db.session.get(Certification, proposed.id)
    assert cert.status == "granted" and cert.certificate is not None
    page = _client(app, agent).get("/certification/").get_data(as_text=True)
    assert 'data-testid="current-level">L1' in page and 'data-testid="certificate-link"' in page


def test_manager_of_another_team_cannot_decide(app, proposed, make_team, make_user):
    stranger = make_user("manager")
    make_team(None, stranger)
    client = _client(app, stranger)
    assert client.post(f"/certification/proposals/{proposed.id}/approve").status_code == 404
    assert client.get(f"/certification/agents/{proposed.user_id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(Certification, proposed.id).status == "proposed"


def test_reject_without_reason_is_refused_with_a_message(app, proposed, team):
    _team, manager, _agent = team
    client = _client(app, manager)
    client.post(f"/certification/proposals/{proposed.id}/reject", data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(Certification, proposed.id).status == "proposed"
    client.post(f"/certification/proposals/{proposed.id}/reject", data={"reason": "再练两周"})
    db.session.expire_all()
    assert db.session.get(Certification, proposed.id).status == "rejected"


def test_manager_grants_and_revokes_from_the_agent_page(app, team, fake_training, frozen_now):
    _team, manager, agent = team
    client = _client(app, manager)
    client.post(
        f"/certification/agents/{agent.id}/grant",
        data={"grant-level": "L1", "grant-reason": "线下认证"},
    )
    cert = db.session.scalar(db.select(Certification))
    assert cert.status == "granted"
    client.post(
        f"/certification/certifications/{cert.id}/revoke", data={"reason": "撤销", "next": "agent"}
    )
    db.session.expire_all()
    assert db.session.get(Certification, cert.id).status == "revoked"


def test_evaluate_team_button(app, team, fake_training, good_kpis, frozen_now):
    _team, manager, agent = team
    fake_training.complete_l1(agent)
    good_kpis(agent)
    response = _client(app, manager).post("/certification/review/evaluate", data={"team": 999})
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Certification.id))) == 1


def test_review_page_query_count_is_bounded(
    app, make_team, make_user, fake_training, good_kpis, count_queries, frozen_now
):
    counts = []
    for size in (2, 8):
        manager = make_user("manager")
        team = make_team(None, manager)
        for _ in range(size):
            agent = make_user("agent", team=team)
            fake_training.complete_l1(agent)
            good_kpis(agent, days=3)
            services.grant_override(agent, "L1", manager, reason="x")
        services.sweep([a for a in team.members if a.role == "agent"])
        db.session.commit()
        client = _client(app, manager)
        client.get("/certification/review")
        with count_queries() as counter:
            assert client.get("/certification/review").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_certificate_pages_and_pdf(app, team, make_user, frozen_now):
    _team, manager, agent = team
    services.grant_override(agent, "L1", manager, reason="x")
    db.session.commit()
    certificate = db.session.scalar(db.select(Certificate))
    page = (
        _client(app, agent)
        .get(f"/certification/certificates/{certificate.id}")
        .get_data(as_text=True)
    )
    assert agent.name in page and certificate.code in page
    response = _client(app, manager).get(f"/certification/certificates/{certificate.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    fonts = pdf_fonts(response.data)
    assert fonts and all(fonts.values()), fonts  # every font is embedded in the file
    assert (
        _client(app, make_user("agent"))
        .get(f"/certification/certificates/{certificate.id}")
        .status_code
        == 404
    )


def test_public_verification_shows_only_name_level_dates_validity(app, client, team, frozen_now):
    _team, manager, agent = team
    cert = services.grant_override(agent, "L1", manager, reason="内部备注：不应公开")
    db.session.commit()
    code = cert.certificate.code
    response = client.get(f"/verify/{code.lower().replace('-', '')}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert agent.name in body and "认证客服" in body and NOW.date().isoformat() in body
    for secret in (agent.email, "内部备注", manager.name, agent.team.name):
        assert secret not in body
    assert client.get("/verify/?code=" + code).status_code == 302
    services.revoke(cert, manager, reason="x")
    db.session.commit()
    assert "verification-status" in client.get(f"/verify/{code}").get_data(as_text=True)
    assert client.get("/verify/AAAA-BBBB-CCCC-DDDD").status_code == 404


def test_trainer_endorses(app, team, make_user, frozen_now):
    _team, _manager, agent = team
    trainer = make_user("trainer")
    client = _client(app, trainer)
    assert agent.email in client.get("/certification/endorsements/").get_data(as_text=True)
    client.post(
        "/certification/endorsements/",
        data={"agent_id": agent.id, "level": "L3", "comment": "带教优秀"},
    )
    client.post(
        "/certification/endorsements/", data={"agent_id": agent.id, "level": "L1", "comment": "x"}
    )
    from trainer.certification.models import Endorsement

    endorsements = list(db.session.scalars(db.select(Endorsement)))
    assert [(e.user_id, e.level, e.trainer_id) for e in endorsements] == [
        (agent.id, "L3", trainer.id)
    ]


def test_cli_evaluate_prints_json(app, runner, team, fake_training, frozen_now):
    _team, _manager, agent = team
    fake_training.complete_l1(agent)
    result = runner.invoke(args=["cert", "evaluate", "--email", agent.email])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["level"], data["next_level"]) == ("L0", "L1")
    assert {c["key"] for c in data["met"]} >= {"compliance", "anti-fraud-privacy", "sessions"}
    assert {c["kind"] for c in data["missing"]} == {"kpi_conversations", "kpi"}
    assert all("actual" in c and "required" in c and "link" in c for c in data["missing"])
    bad = runner.invoke(args=["cert", "evaluate", "--email", "nobody@example.org"])
    assert bad.exit_code != 0 and "nobody@example.org" in bad.output


def test_cli_sweep_and_check_config(
    app, runner, team, fake_training, good_kpis, tmp_path, frozen_now
):
    _team, _manager, agent = team
    fake_training.complete_l1(agent)
    good_kpis(agent)
    result = runner.invoke(args=["cert", "sweep"])
    assert result.exit_code == 0 and json.loads(result.output)["proposed"] == 1
    result = runner.invoke(args=["cert", "check-config"])
    assert result.exit_code == 0 and "levels ok: L0, L1, L2, L3" in result.output
    broken = tmp_path / "levels.yaml"
    broken.write_text(
        "levels:\n  - code: L0\n    name: {zh_CN: a, en: b}\n  - code: l1\n", encoding="utf-8"
    )
    result = runner.invoke(args=["cert", "check-config", "--file", str(broken)])
    assert result.exit_code != 0 and f"{broken}:4:" in result.output


def test_check_config_reports_unknown_slugs_without_failing(app, runner, tmp_path):
    text = tmp_path / "x.yaml"
    from trainer.certification.ladder import SHIPPED

    text.write_text(
        SHIPPED.read_text(encoding="utf-8").replace(
            "quizzes: [live-advertising-promotion]", "quizzes: [no-such-quiz]"
        ),
        encoding="utf-8",
    )
    result = runner.invoke(args=["cert", "check-config", "--file", str(text)])
    assert result.exit_code == 0
    assert "no-such-quiz" in result.output


def test_home_panels(app, proposed, team):
    _team, manager, agent = team
    assert "home-level" in _client(app, agent).get("/").get_data(as_text=True)
    body = _client(app, manager).get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "home-certification" in body and "1 promotion waiting" in body


def test_history_survives_time(app, team, frozen_now):
    """Grants keep their UTC timestamps and show in the agent's history."""
    _team, manager, agent = team
    services.grant_override(agent, "L1", manager, reason="x", now=NOW - timedelta(days=3))
    db.session.commit()
    cert = db.session.scalar(db.select(Certification))
    assert cert.granted_at == NOW - timedelta(days=3)


def test_the_grant_form_carries_the_plain_csrf_token_the_app_checks(
    app, team, fake_training, frozen_now
):
    """A scanner (wapiti) read the prefixed "grant-csrf_token" as a form without a token."""
    import re

    _team, manager, agent = team
    client = _client(app, manager)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/certification/agents/{agent.id}").get_data(as_text=True)
    form = page[page.index(f"/certification/agents/{agent.id}/grant") :]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    url = f"/certification/agents/{agent.id}/grant"
    data = {"grant-level": "L1", "grant-reason": "线下认证"}
    assert client.post(url, data=data).status_code == 400  # no token: refused
    assert db.session.scalar(db.select(db.func.count(Certification.id))) == 0
    assert client.post(url, data={**data, "csrf_token": token}).status_code == 302
    assert db.session.scalar(db.select(Certification)).status == "granted"
