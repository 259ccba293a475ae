"""The progress page of a large import running as a job (see importruns.py)."""

from flask import Blueprint, Flask, abort, render_template
from flask_login import current_user

from trainer.core.auth import signed_in
from trainer.core.importruns import KINDS, REPORT_LABELS, visible_run

bp = Blueprint("imports", __name__, url_prefix="/imports")


@bp.get("/<int:run_id>")
@signed_in
def progress(run_id: int):
    """How far the import got; refreshes itself until it is finished (reads only)."""
    run = visible_run(run_id, current_user)
    if run is None or run.kind not in KINDS:
        abort(404)
    return render_template(
        "imports/progress.html", run=run, kind=KINDS[run.kind], report_labels=REPORT_LABELS
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
