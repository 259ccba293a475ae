"""Runs as lists: an agent's past drills, a team's finished drills."""

from functools import cache

from sqlalchemy import Select, bindparam

from trainer.core.memo import memo_active, request_memo
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
    if len(user_ids) == 1 and memo_active():  # one agent's page: the home panel reads them too
        runs = [r for r in runs_of(user_ids[0]) if r.status == FINISHED]
        return sorted(runs, key=lambda r: (r.finished_at, r.id))
    return list(
        db.session.scalars(
            db.select(DrillRun)
            .where(DrillRun.user_id.in_(user_ids), DrillRun.status == FINISHED)
            .options(db.joinedload(DrillRun.drill), db.joinedload(DrillRun.version))
            .order_by(DrillRun.finished_at, DrillRun.id)
        )
    )


def runs_of(user_id: int) -> list[DrillRun]:
    """Every run of one agent (running or finished), newest first, read once per GET request:
    the home panel's latest run and the level panel's finished drills share it."""

    def load() -> list[DrillRun]:
        return list(db.session.scalars(_runs_of_statement(), {"user_id": user_id}))

    return request_memo(("drills.runs", user_id), load)


@cache
def _runs_of_statement() -> Select:
    """The statement of `runs_of`, the user's id a bound parameter: built once per process."""
    return (
        db.select(DrillRun)
        .where(DrillRun.user_id == bindparam("user_id"))
        .options(db.joinedload(DrillRun.drill), db.joinedload(DrillRun.version))
        .order_by(DrillRun.id.desc())
    )
