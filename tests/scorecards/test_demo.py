"""The demo seeder: 90 days of realistic, deterministic KPI history for the demo team, and OKRs."""

from datetime import timedelta

from trainer.accounts.demo import seed_demo_users
from trainer.core.clock import today
from trainer.extensions import db
from trainer.scorecards import demo
from trainer.scorecards.models import KpiRecord, TeamKpiRecord
from trainer.scorecards.okr_models import OkrSet
from trainer.scorecards.periods import quarter_of


def _digest():
    rows = db.session.execute(
        db.select(
            KpiRecord.day, KpiRecord.conversations, KpiRecord.csat, KpiRecord.first_response_seconds
        ).order_by(KpiRecord.agent_id, KpiRecord.day)
    )
    return [tuple(r) for r in rows]


def test_seeds_90_days_for_the_demo_team(app, frozen_today):
    users = seed_demo_users()
    demo.seed_demo(users)
    db.session.commit()
    team_agents = 1 + len(demo.TEAMMATES)
    assert db.session.scalar(db.select(db.func.count(KpiRecord.id))) == 90 * team_agents
    assert db.session.scalar(db.select(db.func.count(TeamKpiRecord.id))) == 90
    days = db.session.execute(
        db.select(db.func.min(KpiRecord.day), db.func.max(KpiRecord.day))
    ).one()
    assert days == (today() - timedelta(days=90), today() - timedelta(days=1))
    sane = db.session.execute(
        db.select(
            db.func.min(KpiRecord.csat),
            db.func.max(KpiRecord.csat),
            db.func.min(KpiRecord.conversations),
        )
    ).one()
    assert sane[0] >= 1 and sane[1] <= 5 and sane[2] > 0
    agent_set = db.session.scalar(db.select(OkrSet).where(OkrSet.agent_id == users["agent"].id))
    assert agent_set.quarter == quarter_of(today()) and agent_set.status == "approved"
    assert (
        db.session.scalar(db.select(db.func.count(OkrSet.id)).where(OkrSet.status == "submitted"))
        == 1
    )


def test_seeding_is_idempotent_and_deterministic(app, frozen_today):
    users = seed_demo_users()
    demo.seed_demo(users)
    db.session.commit()
    first = _digest()
    demo.seed_demo(users)  # again: nothing new
    db.session.commit()
    assert _digest() == first
    db.session.execute(db.delete(KpiRecord))
    demo.seed_demo(users)  # from scratch: the same numbers
    db.session.commit()
    assert _digest() == first


def test_the_demo_agent_improves(app, frozen_today):
    users = seed_demo_users()
    demo.seed_demo(users)
    db.session.commit()
    agent_id = users["agent"].id
    end = today() - timedelta(days=1)

    def mean_frt(start, stop):
        return db.session.scalar(
            db.select(db.func.avg(KpiRecord.first_response_seconds)).where(
                KpiRecord.agent_id == agent_id, KpiRecord.day.between(start, stop)
            )
        )

    early = mean_frt(end - timedelta(days=89), end - timedelta(days=60))
    late = mean_frt(end - timedelta(days=29), end)
    assert late < early
