"""Promotions, approvals, overrides, notices and lapses over time, and their audit trail."""

from datetime import timedelta

import pytest
import time_machine

from tests.certification.conftest import NOW, quiz_pass
from trainer.certification import services
from trainer.certification.ladder import SHIPPED, forget_cached_ladder
from trainer.certification.models import Certificate, Certification, Endorsement
from trainer.core import configdocs
from trainer.core.audit import AuditEvent
from trainer.extensions import db


def _actions(user_id: int) -> list[str]:
    events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))
    return [e.action for e in events if e.data.get("user_id") == user_id]


def _certs(user) -> list[Certification]:
    return list(
        db.session.scalars(db.select(Certification).where(Certification.user_id == user.id))
    )


def test_sweep_proposes_an_eligible_agent_once(team, fake_training, good_kpis, frozen_now):
    _team, _manager, agent = team
    fake_training.complete_l1(agent)
    good_kpis(agent)
    summary = services.sweep([agent])
    db.session.commit()
    assert (summary.evaluated, summary.proposed, summary.granted) == (1, 1, 0)
    (cert,) = _certs(agent)
    assert (cert.level, cert.status, cert.source) == ("L1", "proposed", "engine")
    assert all(c["met"] for c in cert.evidence["checks"])
    assert services.sweep([agent]).proposed == 0  # already proposed
    assert _actions(agent.id) == ["certification.propose"]


def test_sweep_proposes_nothing_when_requirements_are_missing(team, fake_training, frozen_now):
    _team, _manager, agent = team
    fake_training.complete_l1(agent)  # no KPI figures
    assert services.sweep([agent]).proposed == 0
    assert _certs(agent) == []


def test_manager_approves_and_a_certificate_is_issued(team, fake_training, good_kpis, frozen_now):
    _team, manager, agent = team
    fake_training.complete_l1(agent)
    good_kpis(agent)
    services.sweep([agent])
    (cert,) = _certs(agent)
    services.approve(cert, manager, reason="表现稳定")
    db.session.commit()
    assert (cert.status, cert.decided_by_id, cert.granted_at) == ("granted", manager.id, NOW)
    assert cert.valid_until == min(p.expires_at for p in fake_training.passes[agent.id].values())
    certificate = db.session.scalar(db.select(Certificate))
    assert certificate.holder_name == agent.name and certificate.level_name["zh_CN"] == "认证客服"
    grant = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "certification.grant")
    )
    assert grant.actor_id == manager.id
    assert grant.data["before"] == {"status": "proposed"}
    assert grant.data["after"]["status"] == "granted" and grant.data["reason"] == "表现稳定"
    assert grant.at.tzinfo is not None
    assert services.evaluate_user(agent).level == "L1"


def test_approving_with_missing_requirements_is_an_override(
    team, fake_training, good_kpis, frozen_now
):
    _team, manager, agent = team
    fake_training.complete_l1(agent)
    good_kpis(agent)
    services.sweep([agent])
    (cert,) = _certs(agent)
    fake_training.passes[agent.id].pop("anti-fraud-privacy")  # gone since the proposal
    with pytest.raises(services.CertificationError):
        services.approve(cert, manager)
    with pytest.raises(services.CertificationError):
        services.approve(cert, manager, override=True, reason=" ")
    services.approve(cert, manager, override=True, reason="线下已补考，成绩单已核对")
    db.session.commit()
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "certification.override_grant")
    )
    assert event.data["reason"] == "线下已补考，成绩单已核对"
    assert [m["key"] for m in event.data["missing"]] == ["anti-fraud-privacy"]


def test_only_the_agents_manager_or_an_admin_decides(
    team, make_team, make_user, fake_training, good_kpis, frozen_now
):
    _team, _manager, agent = team
    other_manager = make_user("manager")
    make_team(None, other_manager)
    fake_training.complete_l1(agent)
    good_kpis(agent)
    services.sweep([agent])
    (cert,) = _certs(agent)
    with pytest.raises(services.CertificationError):
        services.approve(cert, other_manager)
    with pytest.raises(services.CertificationError):
        services.approve(cert, agent)
    services.approve(cert, make_user("admin"))
    assert cert.status == "granted"


def test_reject_needs_a_reason(team, fake_training, good_kpis, frozen_now):
    _team, manager, agent = team
    fake_training.complete_l1(agent)
    good_kpis(agent)
    services.sweep([agent])
    (cert,) = _certs(agent)
    with pytest.raises(services.CertificationError):
        services.reject(cert, manager, reason="")
    services.reject(cert, manager, reason="先完成双十一复盘")
    assert cert.status == "rejected"
    assert _actions(agent.id)[-1] == "certification.reject"


def test_override_grant_and_revoke(team, fake_training, frozen_now):
    _team, manager, agent = team
    with pytest.raises(services.CertificationError):
        services.grant_override(agent, "L1", manager, reason="")
    cert = services.grant_override(agent, "L1", manager, reason="纸质证书 2025")
    db.session.commit()
    assert cert.status == "granted" and cert.source == "override"
    with pytest.raises(services.CertificationError):
        services.grant_override(agent, "L1", manager, reason="again")
    services.revoke(cert, manager, reason="证书造假")
    db.session.commit()
    assert (cert.status, cert.ended_at) == ("revoked", NOW)
    assert _actions(agent.id) == ["certification.override_grant", "certification.revoke"]
    assert services.evaluate_user(agent).level == "L0"


def test_auto_grant_setting(app, team, fake_training, good_kpis, frozen_now, make_user):
    _team, _manager, agent = team
    text = SHIPPED.read_text(encoding="utf-8").replace("auto_grant: false", "auto_grant: true")
    configdocs.save_override("levels", text, validate=lambda t: None, actor=make_user("admin"))
    forget_cached_ladder()
    fake_training.complete_l1(agent)
    good_kpis(agent)
    summary = services.sweep([agent])
    assert (summary.proposed, summary.granted) == (1, 1)
    (cert,) = _certs(agent)
    assert cert.status == "granted" and cert.decided_by_id is None
    assert _actions(agent.id) == ["certification.propose", "certification.auto_grant"]


def test_quiz_expiry_notice_then_lapse(team, fake_training, good_kpis, frozen_now):
    """Notice 14 days before the pass expires; lapse on expiry; the audit log has both."""
    _team, manager, agent = team
    fake_training.complete_l1(agent)
    fake_training.passes[agent.id]["platform-rules"] = quiz_pass(
        "platform-rules", days_ago=160, valid_days=180
    )
    good_kpis(agent, days=60)
    services.sweep([agent])
    (cert,) = _certs(agent)
    services.approve(cert, manager)
    db.session.commit()

    summary = services.sweep([agent])  # 20 days left: nothing yet
    assert (summary.notices, summary.lapsed) == (0, 0)
    with time_machine.travel(NOW + timedelta(days=7), tick=False):  # 13 days left: notice
        summary = services.sweep([agent])
        db.session.commit()
        assert summary.notices == 1 and cert.noticed_at is not None
        assert cert.notice["problems"][0]["key"] == "platform-rules"
        assert services.sweep([agent]).notices == 0  # one notice, not one per run
    with time_machine.travel(NOW + timedelta(days=21), tick=False):  # expired
        summary = services.sweep([agent])
        db.session.commit()
        assert summary.lapsed == 1
        assert cert.status == "lapsed" and cert.ended_at == NOW + timedelta(days=21)
    assert _actions(agent.id) == [
        "certification.propose",
        "certification.grant",
        "certification.notice",
        "certification.lapse",
    ]


def test_a_renewed_pass_clears_the_notice(team, fake_training, good_kpis, frozen_now):
    _team, manager, agent = team
    fake_training.complete_l1(agent)
    fake_training.passes[agent.id]["platform-rules"] = quiz_pass(
        "platform-rules", days_ago=170, valid_days=180
    )
    good_kpis(agent)
    services.sweep([agent])
    (cert,) = _certs(agent)
    services.approve(cert, manager)
    assert services.sweep([agent]).notices == 1
    fake_training.passes[agent.id]["platform-rules"] = quiz_pass("platform-rules", days_ago=0)
    assert services.sweep([agent]).cleared == 1
    assert cert.noticed_at is None and cert.status == "granted"
    assert cert.valid_until == min(p.expires_at for p in fake_training.passes[agent.id].values())


def test_kpi_below_floor_lapses_after_grace(team, fake_training, good_kpis, frozen_now):
    _team, manager, agent = team
    fake_training.complete_l1(agent)
    good_kpis(agent)
    services.sweep([agent])
    (cert,) = _certs(agent)
    services.approve(cert, manager)
    db.session.commit()
    # From now on the agent's CSAT drops to 3.6 for weeks (floor for keeping L1: 4.0).
    from trainer.scorecards.models import KpiRecord

    db.session.execute(db.update(KpiRecord).values(csat=3.6))
    for day in range(1, 40):
        db.session.add(
            KpiRecord(
                agent_id=agent.id,
                day=(NOW + timedelta(days=day)).date(),
                conversations=80,
                csat=3.6,
                first_response_seconds=25,
            )
        )
    db.session.commit()
    assert services.sweep([agent]).notices == 1
    assert cert.kpi_below_since == NOW
    with time_machine.travel(NOW + timedelta(days=10), tick=False):
        assert services.sweep([agent]).lapsed == 0  # still within the grace period
    with time_machine.travel(NOW + timedelta(days=14), tick=False):
        assert services.sweep([agent]).lapsed == 1
    assert cert.status == "lapsed"


def test_levels_for_many_users_read_without_an_id_list(team, make_user, frozen_now, monkeypatch):
    """Above MANY_USERS ids (an organisation's ranking) every held certification is read and
    the requested users kept: the same levels as the IN-list query, none for others."""
    from trainer.certification import reading

    team_, manager, agent = team
    other = make_user("agent", team=team_)
    stranger = make_user("agent", team=team_)
    services.grant_override(agent, "L1", manager, reason="history")
    services.grant_override(stranger, "L1", manager, reason="history")
    db.session.commit()
    ids = [agent.id, other.id]
    expected = services.incentive_levels(ids, NOW.date())
    monkeypatch.setattr(reading, "MANY_USERS", 1)
    assert services.incentive_levels(ids, NOW.date()) == expected
    assert expected[agent.id][1] == 1.1 and expected[other.id][1] == 1.0
    assert services.levels_held_on(ids, NOW.date()) == {agent.id: "L1"}  # not the stranger


def test_levels_held_on_a_date_and_multipliers(team, frozen_now):
    _team, manager, agent = team
    cert = services.grant_override(agent, "L1", manager, reason="history")
    db.session.commit()
    before = (NOW - timedelta(days=1)).date()
    assert services.levels_held_on([agent.id], before) == {}
    assert services.levels_held_on([agent.id], NOW.date()) == {agent.id: "L1"}
    assert services.incentive_levels([agent.id], NOW.date())[agent.id] == ("L1 认证客服", 1.1)
    assert services.incentive_levels([agent.id], before)[agent.id][1] == 1.0
    with time_machine.travel(NOW + timedelta(days=5), tick=False):
        services.revoke(cert, manager, reason="x")
        db.session.commit()
        assert services.levels_held_on([agent.id], NOW.date()) == {agent.id: "L1"}  # history kept
        assert services.levels_held_on([agent.id], (NOW + timedelta(days=5)).date()) == {}


def test_endorsements(team, make_user, frozen_now):
    _team, _manager, agent = team
    trainer = make_user("trainer")
    with pytest.raises(services.CertificationError):
        services.endorse(agent, "L1", trainer, "good")  # L1 takes no endorsements
    with pytest.raises(services.CertificationError):
        services.endorse(agent, "L3", agent, "me!")
    endorsement = services.endorse(agent, "L3", trainer, "带教新人表现突出")
    with pytest.raises(services.CertificationError):
        services.endorse(agent, "L3", trainer, "twice")
    with pytest.raises(services.CertificationError):
        services.withdraw_endorsement(endorsement, make_user("trainer"))
    services.withdraw_endorsement(endorsement, trainer)
    assert db.session.get(Endorsement, endorsement.id).withdrawn_at is not None
    assert _actions(agent.id) == ["endorsement.create", "endorsement.withdraw"]


def test_audit_log_cannot_be_rewritten(team, frozen_now):
    _team, manager, agent = team
    services.grant_override(agent, "L1", manager, reason="x")
    db.session.commit()
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "certification.override_grant")
    )
    event.data = {"reason": "tampered"}
    with pytest.raises(RuntimeError):
        db.session.commit()
    db.session.rollback()


def test_two_managers_approving_at_once_grant_once(
    team, make_user, fake_training, good_kpis, frozen_now
):
    """The approval claims the proposal with a conditional UPDATE; the slower one is refused."""
    _team, manager, agent = team
    fake_training.complete_l1(agent)
    good_kpis(agent)
    services.sweep([agent])
    db.session.commit()
    (cert,) = _certs(agent)
    # Another request granted it in the meantime; this session still holds it as proposed.
    db.session.execute(
        db.text("UPDATE certifications SET status = 'granted' WHERE id = :id"), {"id": cert.id}
    )
    assert cert.status == "proposed"
    with pytest.raises(services.CertificationError):
        services.approve(cert, make_user("admin"))
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0


def test_only_one_open_certification_per_level(team, frozen_now):
    """The database refuses a second proposed/granted row for the same agent and level."""
    from sqlalchemy.exc import IntegrityError

    _team, manager, agent = team
    services.grant_override(agent, "L1", manager, reason="x")
    db.session.commit()
    db.session.add(Certification(user_id=agent.id, level="L1", status="proposed", evidence={}))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # Closed rows (rejected, lapsed, revoked) do not count.
    db.session.add(Certification(user_id=agent.id, level="L1", status="rejected", evidence={}))
    db.session.commit()


def test_one_agents_page_reads_certifications_and_endorsements_together(
    app, team, make_user, frozen_now, count_queries
):
    """On one agent's GET the open certifications and the endorsements come in one statement
    (certification.evidence); they are what the many-agent reads return."""
    from trainer.certification.evidence import endorsements, granted_levels

    _team, manager, agent = team
    trainer = make_user("trainer")
    endorsed_only = make_user("agent")

    def both_ways(user_id: int):
        many = (
            endorsements([user_id, -1]),
            services.open_certifications([user_id, -1]),
            granted_levels([user_id, -1]),
        )
        with app.test_request_context("/", method="GET"), count_queries() as counter:
            app.preprocess_request()  # the GET's memo, as for a page
            one = (
                endorsements([user_id]),
                services.open_certifications([user_id]),
                granted_levels([user_id]),
            )
        assert one == many
        assert counter.count == 1
        return one

    assert both_ways(agent.id) == ({}, {}, {})
    services.endorse(endorsed_only, "L3", trainer, "带教新人表现突出")
    services.endorse(agent, "L3", trainer, "带教新人表现突出")
    withdrawn_from = make_user("agent")
    services.withdraw_endorsement(services.endorse(withdrawn_from, "L3", trainer, "收回"), trainer)
    services.grant_override(agent, "L1", manager, reason="x")
    services.grant_override(agent, "L2", manager, reason="x")
    db.session.commit()
    assert both_ways(endorsed_only.id)[0] == {endorsed_only.id: frozenset({"L3"})}
    assert both_ways(withdrawn_from.id) == ({}, {}, {})
    endorsed, certifications, held = both_ways(agent.id)
    assert endorsed == {agent.id: frozenset({"L3"})}
    assert [c.level for c in certifications[agent.id]] == ["L1", "L2"]
    assert set(held[agent.id]) == {"L1", "L2"}
