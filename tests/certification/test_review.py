"""The promotion review: snapshot and live evidence side by side; approving re-evaluates."""

import pytest

from tests.conftest import login
from trainer.certification import services
from trainer.certification.models import Certification
from trainer.certification.review import GAINED, LOST, SAME, review_proposals
from trainer.core.audit import AuditEvent
from trainer.core.clock import utcnow
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


def _manager_client(app, team):
    client = app.test_client()
    login(client, team[1])
    return client


def test_nothing_changed_means_every_row_is_the_same(proposed):
    review = review_proposals([proposed], utcnow())[proposed.id]
    assert review.still_meets and {r.change for r in review.rows} == {SAME}


def test_a_pass_lost_since_the_proposal_shows_as_lost(proposed, fake_training, team):
    fake_training.passes[team[2].id].pop("anti-fraud-privacy")
    review = review_proposals([proposed], utcnow())[proposed.id]
    assert not review.still_meets
    assert [(r.key, r.change) for r in review.changed] == [("anti-fraud-privacy", LOST)]
    assert [r.key for r in review.live_missing] == ["anti-fraud-privacy"]


def test_a_snapshot_that_was_short_shows_what_was_gained(proposed):
    stored = dict(proposed.evidence)
    stored["checks"] = [
        {**c, "met": False} if c["key"] == "anti-fraud-privacy" else c for c in stored["checks"]
    ]
    proposed.evidence = stored
    review = review_proposals([proposed], utcnow())[proposed.id]
    assert [(r.key, r.change) for r in review.changed] == [("anti-fraud-privacy", GAINED)]


def test_review_page_shows_both_columns_and_the_change(app, proposed, fake_training, team):
    client = _manager_client(app, team)
    fake_training.passes[team[2].id].pop("anti-fraud-privacy")
    body = client.get("/certification/review", headers={"Accept-Language": "en"})
    html = body.get_data(as_text=True)
    assert 'data-testid="comparison"' in html
    assert 'data-key="anti-fraud-privacy" data-change="lost"' in html
    assert "When proposed" in html and "Now (live)" in html
    assert 'data-testid="no-longer-meets"' in html and 'data-testid="override"' in html


def test_approving_when_no_longer_met_says_why_and_changes_nothing(
    app, proposed, fake_training, team
):
    fake_training.passes[team[2].id].pop("anti-fraud-privacy")
    client = _manager_client(app, team)
    response = client.post(
        f"/certification/proposals/{proposed.id}/approve",
        data={"reason": "ok"},
        headers={"Accept-Language": "en"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "L1 is no longer met" in html and "Quiz:" in html  # says which requirement
    db.session.expire_all()
    assert db.session.get(Certification, proposed.id).status == "proposed"


def test_confirmed_override_is_granted_and_audited_with_what_changed(
    app, proposed, fake_training, team
):
    fake_training.passes[team[2].id].pop("anti-fraud-privacy")
    client = _manager_client(app, team)
    client.post(
        f"/certification/proposals/{proposed.id}/approve",
        data={"reason": "线下已补考", "override": "y"},
    )
    db.session.expire_all()
    assert db.session.get(Certification, proposed.id).status == "granted"
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "certification.override_grant")
    )
    assert event.data["reason"] == "线下已补考"
    assert event.data["changed_since_proposal"] == [
        {"kind": "quiz", "key": "anti-fraud-privacy", "change": "lost"}
    ]
