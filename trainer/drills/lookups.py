"""Load-or-404 helpers that check who may see a drill run."""

from flask import abort
from flask_login import current_user

from trainer.drills import catalog
from trainer.drills.models import Drill, DrillRun
from trainer.extensions import db


def get_drill_or_404(slug: str) -> Drill:
    """A drill with a current version."""
    drill = catalog.get_drill(slug)
    if drill is None or drill.current_version is None:
        abort(404)
    return drill


def get_own_run_or_404(run_id: int) -> DrillRun:
    """The current user's own run (any other id is a 404), with its version and customers."""
    run = db.session.get(
        DrillRun,
        run_id,
        options=[db.joinedload(DrillRun.version), db.joinedload(DrillRun.customers)],
    )
    if run is None or run.user_id != current_user.id:
        abort(404)
    return run


def get_viewable_run_or_404(run_id: int) -> DrillRun:
    """A run the current user may read: their own, their team's (manager), any (trainer, admin)."""
    run = db.session.get(DrillRun, run_id)
    if run is None:
        abort(404)
    user = current_user
    if run.user_id == user.id or user.role in ("trainer", "admin"):
        return run
    if user.role == "manager" and user.team_id is not None and run.user.team_id == user.team_id:
        return run
    abort(404)
