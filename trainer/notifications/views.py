"""The inbox: list, open (marks read), mark read, mark all read, and delivery settings."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.core.auth import signed_in
from trainer.core.i18n import _
from trainer.core.inputs import page_number
from trainer.core.urls import safe_next_url
from trainer.extensions import db
from trainer.notifications import services
from trainer.notifications.kinds import kinds_for, render
from trainer.notifications.models import DELIVERIES

bp = Blueprint("notifications", __name__, url_prefix="/notifications", template_folder="templates")


@bp.get("/")
@signed_in
def inbox():
    """The user's notifications, newest first."""
    page = page_number(request.args.get("page"))
    rows = [(n, *render(n.kind, n.context)) for n in services.inbox(current_user, page)]
    return render_template(
        "notifications/inbox.html", rows=rows, page=page, page_size=services.PAGE_SIZE
    )


def _own_or_404(notification_id: int):
    row = services.own_notification(current_user, notification_id)
    if row is None:
        abort(404)
    return row


@bp.post("/<int:notification_id>/open")
@signed_in
def open_notification(notification_id: int):
    """Mark read and go to the page that needs action."""
    row = _own_or_404(notification_id)
    services.mark_read(row)
    db.session.commit()
    return redirect(safe_next_url(row.link) if row.link else url_for("notifications.inbox"))


@bp.post("/<int:notification_id>/read")
@signed_in
def mark_read(notification_id: int):
    """Mark one notification read."""
    services.mark_read(_own_or_404(notification_id))
    db.session.commit()
    return redirect(url_for("notifications.inbox"))


@bp.post("/read-all")
@signed_in
def mark_all_read():
    """Mark every notification read."""
    count = services.mark_all_read(current_user)
    db.session.commit()
    flash(_("%(count)s notification(s) marked read.", count=count), "success")
    return redirect(url_for("notifications.inbox"))


@bp.route("/settings", methods=["GET", "POST"])
@signed_in
def settings():
    """Per kind: in-app only, e-mail too, or a daily digest."""
    kinds = kinds_for(current_user.role)
    if request.method == "POST":
        choices = {k.code: request.form.get(f"kind-{k.code}", "") for k in kinds}
        if any(value not in DELIVERIES for value in choices.values()):
            flash(_("Choose one of the offered options for every kind."), "error")
        else:
            services.set_preferences(current_user, choices)
            db.session.commit()
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("notifications.settings"))
    return render_template(
        "notifications/settings.html",
        kinds=kinds,
        chosen=services.preferences(current_user),
        deliveries=DELIVERIES,
    )
