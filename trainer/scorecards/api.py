"""The KPI records API for helpdesk integrations: `POST /api/v1/kpi-records` with a Bearer token."""

from flask import Blueprint, jsonify, request

from trainer.core.auth import token_access
from trainer.core.i18n import _
from trainer.extensions import csrf, db
from trainer.scorecards import records, tokens

bp = Blueprint("kpi_api", __name__, url_prefix="/api/v1")


@bp.post("/kpi-records")
@token_access
@csrf.exempt
def post_kpi_records():
    """Upsert daily KPI records sent by a helpdesk; whole batch or nothing."""
    token = tokens.token_from_header(request.headers.get("Authorization"))
    if token is None:
        response = jsonify(error=_("A valid API token is required (Authorization: Bearer …)."))
        response.headers["WWW-Authenticate"] = 'Bearer realm="trainer"'
        return response, 401
    payload = request.get_json(silent=True)
    if payload is None:
        db.session.commit()  # keeps last_used_at
        return jsonify(error=_("The body must be JSON (Content-Type: application/json).")), 400
    try:
        result = records.import_json(payload, token=token)
    except records.ImportRejected as error:
        db.session.rollback()
        errors = [{"row": e.row, "message": e.message} for e in error.shown]
        body = {
            "error": _("Nothing was imported: %(n)d problem(s).", n=len(error.errors)),
            "errors": errors,
            "unknown_agents": error.unknown,
        }
        return jsonify(body), 409 if error.conflict else 422
    db.session.commit()
    return jsonify(
        created=result.created,
        updated=result.updated,
        first_day=str(result.first_day),
        last_day=str(result.last_day),
    )
