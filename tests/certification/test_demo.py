"""`flask seed-demo` leaves the manager a promotion to approve, and it stays idempotent."""

from trainer.accounts.services import get_user_by_email
from trainer.certification.demo import CERTIFIED_BEFORE
from trainer.certification.models import Certification
from trainer.extensions import db


def _rows():
    query = db.select(Certification.user_id, Certification.level, Certification.status)
    return sorted(db.session.execute(query.order_by(Certification.id)))


def test_seed_demo_proposes_a_promotion(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    agent = get_user_by_email("agent@demo.trainer")
    veteran = get_user_by_email(CERTIFIED_BEFORE)
    rows = _rows()
    assert (agent.id, "L1", "proposed") in rows
    assert (veteran.id, "L1", "granted") in rows
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert _rows() == rows
