"""Certification jobs: the daily sweep (notices, lapses, proposals) in the worker."""

import logging

from trainer.accounts.models import User
from trainer.certification.sweep import sweep
from trainer.core.jobs import daily, job
from trainer.extensions import db

log = logging.getLogger(__name__)


@job("certification.sweep", retries=2, retry_delay=300, lease_seconds=3600)
def sweep_all_agents() -> None:
    """Evaluate every active agent; the job runner commits (idempotent: a rerun changes nothing)."""
    agents = list(db.session.scalars(db.select(User).where(User.role == "agent", User.active)))
    summary = sweep(agents)
    log.info("certification sweep: %s", summary.as_dict())


daily("certification.sweep", "TRAINER_SWEEP_AT")


@job("certification.evaluate_agent", retries=2, retry_delay=60, lease_seconds=300)
def evaluate_agent(user_id: int) -> None:
    """Re-evaluate one agent after their evidence changed (an appeal decided, a grade changed)."""
    agent = db.session.get(User, user_id)
    if agent is not None:
        sweep([agent])
