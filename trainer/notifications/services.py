"""notify() and the inbox: record an event for a user, deliver it by their choice, mark read."""

from typing import Any

from flask import current_app, has_request_context, url_for
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from trainer.core.clock import utcnow
from trainer.core.jobs import enqueue
from trainer.core.memo import request_memo, session_key
from trainer.extensions import db
from trainer.notifications.kinds import KINDS
from trainer.notifications.models import (
    DELIVERIES,
    EMAIL,
    Notification,
    NotificationPreference,
)

PAGE_SIZE = 50


def path_for(endpoint: str, **values: Any) -> str:
    """The site-relative URL of `endpoint`, in a request or in a job (no request there)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def delivery_for(user_id: int, kind: str) -> str:
    """The user's choice for `kind`, else the kind's default."""
    chosen = db.session.scalar(
        db.select(NotificationPreference.delivery).where(
            NotificationPreference.user_id == user_id, NotificationPreference.kind == kind
        )
    )
    return chosen or KINDS[kind].default


def notify(user: Any, kind: str, *, link: str | None = None, once: str | None = None, **context):
    """Tell `user` about `kind` (context: JSON values for the texts; `once`: say it only once).

    The row joins the caller's transaction; an e-mail is a job sent after it commits, never
    inside the request. Returns the notification, or None when `once` was already told.
    """
    if kind not in KINDS:
        raise KeyError(f"unknown notification kind {kind!r}")
    delivery = delivery_for(user.id, kind)
    values = {
        "user_id": user.id,
        "kind": kind,
        "context": context,
        "link": link,
        "delivery": delivery,
        "once_key": once,
        "created_at": utcnow(),
    }
    if once is None:
        row = Notification(**values)
        db.session.add(row)
        db.session.flush()
    else:
        dialect = db.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        table = Notification.__table__
        added = db.session.execute(
            insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
        ).scalar()
        if added is None:  # told before
            return None
        row = db.session.scalar(db.select(Notification).where(Notification.once_key == once))
    if delivery == EMAIL:
        enqueue("notifications.email", row.id, key=f"notification-mail:{row.id}")
    return row


UNREAD = "unread_notifications"


def unread_column(user_id: Any) -> Any:
    """How many notifications the user (an id or an id column) has not read, as a scalar
    subquery: read on its own, or with the session on a GET (accounts.read_with_session)."""
    return (
        db.select(db.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def unread_count(user: Any) -> int:
    """How many notifications the user has not read (on a GET, as read with the session)."""
    return request_memo(
        session_key(UNREAD, user.id), lambda: db.session.scalar(db.select(unread_column(user.id)))
    )


def inbox(user: Any, page: int = 1) -> list[Notification]:
    """The user's notifications, newest first, one page."""
    return list(
        db.session.scalars(
            db.select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )


def own_notification(user: Any, notification_id: int) -> Notification | None:
    """The user's notification with this id, or None (someone else's is never returned)."""
    row = db.session.get(Notification, notification_id)
    return row if row is not None and row.user_id == user.id else None


def mark_read(notification: Notification) -> None:
    """Mark one notification read (once)."""
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(user: Any) -> int:
    """Mark every unread notification of the user read; returns how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount


def preferences(user: Any) -> dict[str, str]:
    """Kind → the user's delivery (defaults filled in)."""
    rows = db.session.scalars(
        db.select(NotificationPreference).where(NotificationPreference.user_id == user.id)
    )
    chosen = {row.kind: row.delivery for row in rows}
    return {code: chosen.get(code, kind.default) for code, kind in KINDS.items()}


def set_preferences(user: Any, choices: dict[str, str]) -> None:
    """Store the user's delivery per kind; unknown kinds or deliveries raise ValueError."""
    if any(k not in KINDS or d not in DELIVERIES for k, d in choices.items()):
        raise ValueError("unknown kind or delivery")
    rows = {
        row.kind: row
        for row in db.session.scalars(
            db.select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    for kind, delivery in choices.items():
        if kind in rows:
            rows[kind].delivery = delivery
        else:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, delivery=delivery))
