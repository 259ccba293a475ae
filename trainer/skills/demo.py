"""`flask seed-demo`: the demo agents' skill snapshots, from the evidence seeded before."""

from trainer.accounts.models import User
from trainer.extensions import db
from trainer.skills import snapshots, store


def seed_demo(users: dict) -> None:
    """Refresh every active agent's snapshot so the home panel shows next steps at once."""
    ids = list(db.session.scalars(db.select(User.id).where(User.role == "agent", User.active)))
    snapshots.refresh(store.active_map(), ids)
