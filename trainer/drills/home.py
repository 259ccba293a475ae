"""The agent home panel: the running drill or the last score (one query)."""

from trainer.drills.models import DrillRun
from trainer.extensions import db


def agent_panel(user) -> dict:
    """The agent's newest run (running or finished), in one query."""
    latest = db.session.scalar(
        db.select(DrillRun)
        .where(DrillRun.user_id == user.id)
        .options(db.joinedload(DrillRun.drill))
        .order_by(DrillRun.id.desc())
        .limit(1)
    )
    return {"latest": latest}
