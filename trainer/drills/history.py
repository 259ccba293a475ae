"""Runs as lists: an agent's past drills, a team's finished drills."""

from trainer.drills.models import FINISHED, DrillRun
from trainer.extensions import db


def user_runs(user, limit: int = 10) -> list[DrillRun]:
    """The agent's finished runs, newest first."""
    return list(
        db.session.scalars(
            db.select(DrillRun)
            .where(DrillRun.user_id == user.id, DrillRun.status == FINISHED)
            .options(db.joinedload(DrillRun.drill), db.joinedload(DrillRun.version))
            .order_by(DrillRun.finished_at.desc(), DrillRun.id.desc())
            .limit(limit)
        )
    )


def finished_runs(user_ids: list[int]) -> list[DrillRun]:
    """Every finished run of these users, oldest first."""
    if not user_ids:
        return []
    return list(
        db.session.scalars(
            db.select(DrillRun)
            .where(DrillRun.user_id.in_(user_ids), DrillRun.status == FINISHED)
            .options(db.joinedload(DrillRun.drill), db.joinedload(DrillRun.version))
            .order_by(DrillRun.finished_at, DrillRun.id)
        )
    )
