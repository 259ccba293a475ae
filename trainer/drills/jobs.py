"""Drill jobs: storing the figures of finished runs that have none (after a policy change)."""

import logging

from trainer.core.jobs import job
from trainer.drills import figures
from trainer.drills.models import FINISHED, DrillRun
from trainer.extensions import db

log = logging.getLogger(__name__)
BATCH = 200  # runs summarised per statement group


@job(figures.STORE_JOB, retries=2, retry_delay=60, lease_seconds=3600)
def store_missing_figures() -> None:
    """Store the figures of every finished run without them; the job runner commits
    (idempotent: a rerun finds nothing missing)."""
    ids = list(
        db.session.scalars(
            db.select(DrillRun.id)
            .where(DrillRun.status == FINISHED, DrillRun.figures.is_(None))
            .order_by(DrillRun.id)
        )
    )
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        figures.store(list(db.session.scalars(db.select(DrillRun).where(DrillRun.id.in_(batch)))))
    log.info("drill figures stored: %d runs", len(ids))
