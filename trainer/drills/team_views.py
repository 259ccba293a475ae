"""Managers see their team's peak readiness, on a page and as CSV."""

from flask import Blueprint, Response, render_template
from flask_login import current_user

from trainer.core.auth import role_required
from trainer.drills.readiness import READY_PARALLEL, readiness_csv, team_readiness

bp = Blueprint("drills_team", __name__, url_prefix="/drills/team", template_folder="templates")


@bp.get("/")
@role_required("manager", "admin")
def readiness():
    """Per agent: most customers at once at target, score trend, ready or not."""
    return render_template(
        "drills/readiness.html", lines=team_readiness(current_user), ready_parallel=READY_PARALLEL
    )


@bp.get("/readiness.csv")
@role_required("manager", "admin")
def readiness_export():
    """The readiness view as CSV."""
    headers = {"Content-Disposition": 'attachment; filename="peak-readiness.csv"'}
    body = readiness_csv(team_readiness(current_user))
    return Response(body, mimetype="text/csv; charset=utf-8", headers=headers)
