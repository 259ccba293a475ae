"""Certification events reach people: promotion waiting (manager), granted, lapsing, lapsed."""

from datetime import timedelta

import time_machine

from tests.certification.conftest import (  # noqa: F401 - fixtures reused here
    NOW,
    fake_training,
    frozen_now,
    good_kpis,
    quiz_pass,
    team,
)
from trainer.certification import services
from trainer.certification.models import Certification
from trainer.extensions import db
from trainer.notifications.models import Notification


def _kinds(user) -> list[str]:
    rows = db.session.scalars(
        db.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    return [n.kind for n in rows]


def test_promotion_grant_notice_and_lapse_are_notified(
    team,  # noqa: F811
    fake_training,  # noqa: F811
    good_kpis,  # noqa: F811
    frozen_now,  # noqa: F811
    outbox,
):
    _team, manager, agent = team
    fake_training.complete_l1(agent)
    fake_training.passes[agent.id]["platform-rules"] = quiz_pass(
        "platform-rules", days_ago=160, valid_days=180
    )
    good_kpis(agent, days=60)
    services.sweep([agent])
    db.session.commit()
    assert _kinds(manager) == ["promotion_waiting"]
    services.sweep([agent])  # still proposed: the manager is not told twice
    assert _kinds(manager) == ["promotion_waiting"]
    cert = db.session.scalar(db.select(Certification))
    services.approve(cert, manager)
    db.session.commit()
    assert _kinds(agent) == ["level_granted"]
    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        services.sweep([agent])
        services.sweep([agent])
        db.session.commit()
    assert _kinds(agent) == ["level_granted", "level_lapsing"]
    lapsing = db.session.scalar(db.select(Notification).where(Notification.kind == "level_lapsing"))
    assert lapsing.link == "/certification/" and lapsing.context["date"]
    with time_machine.travel(NOW + timedelta(days=21), tick=False):
        services.sweep([agent])
        db.session.commit()
    assert _kinds(agent) == ["level_granted", "level_lapsing", "level_lapsed"]
    assert len(list(outbox.glob("*.eml"))) == 4  # each kind mails by default
