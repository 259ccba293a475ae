"""The audit log pages: entries in words with filters and pagination, one entry, CSV export."""

from flask import Response, abort, render_template, request, url_for
from flask_login import current_user

from trainer.accounts import auditlog
from trainer.accounts.views import bp
from trainer.core.audit import AuditEvent
from trainer.core.audit_words import ACTION_LABELS, GROUP_LABELS
from trainer.core.auth import ADMIN, AGENT, MANAGER, role_required
from trainer.core.inputs import page_number
from trainer.extensions import db


def person_url(user) -> str | None:
    """Where a person's name links to for the viewer (None: no page to show)."""
    if user is None:
        return None
    if current_user.role == ADMIN:
        return url_for("accounts.edit_user", user_id=user.id)
    if user.role == AGENT and user.team_id == current_user.team_id:
        return url_for("certification.agent_level", agent_id=user.id)
    return None


def _page_context(filters) -> dict:
    return {
        "filters": filters,
        "people": auditlog.visible_people(current_user),
        "kinds": [(k, str(v)) for k, v in {**GROUP_LABELS, **ACTION_LABELS}.items()],
        "types": auditlog.subject_types(),
        "person_url": person_url,
        "show_raw": current_user.role == ADMIN,
    }


@bp.get("/audit")
@role_required(ADMIN, MANAGER)
def audit_log():
    """The audit log in words, newest first, with filters; managers see their team's entries."""
    filters = auditlog.parse_filters(request.args)
    query = auditlog.filtered_query(current_user, filters)
    page = db.paginate(
        query,
        page=page_number(request.args.get("page")),
        per_page=auditlog.PER_PAGE,
        error_out=False,
    )
    return render_template(
        "accounts/audit.html",
        page=page,
        rows=auditlog.rows_of(page.items),
        **_page_context(filters),
    )


@bp.get("/audit/<int:event_id>")
@role_required(ADMIN, MANAGER)
def audit_entry(event_id: int):
    """One audit entry: the sentence, every change, and the raw record for admins."""
    query = auditlog.filtered_query(current_user, auditlog.AuditFilters())
    event = db.session.scalars(query.where(AuditEvent.id == event_id)).unique().first()
    if event is None:
        abort(404)
    (row,) = auditlog.rows_of([event])
    return render_template(
        "accounts/audit_entry.html",
        row=row,
        person_url=person_url,
        show_raw=current_user.role == ADMIN,
    )


@bp.get("/audit.csv")
@role_required(ADMIN, MANAGER)
def audit_export():
    """The filtered audit log as CSV (spreadsheet-safe cells, times with the zone's offset)."""
    filters = auditlog.parse_filters(request.args)
    return Response(
        auditlog.audit_csv(current_user, filters),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
