"""Append-only audit log: who did what to which record, with before/after, in UTC."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.extensions import db


class AuditEvent(db.Model):
    """One recorded action. Rows are never updated or deleted."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(80), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor = relationship("User")

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.subject_type}:{self.subject_id}>"


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(mapper, connection, target) -> None:
    raise RuntimeError("the audit log is append-only")


def record(
    actor: Any,
    action: str,
    subject: Any,
    *,
    before: dict | None = None,
    after: dict | None = None,
    **data: Any,
) -> AuditEvent:
    """Add an audit event for `subject` (a model instance); the caller's transaction commits it."""
    # current_user is a proxy; record the real objects.
    actor = actor._get_current_object() if hasattr(actor, "_get_current_object") else actor
    subject = subject._get_current_object() if hasattr(subject, "_get_current_object") else subject
    payload = dict(data)
    if before is not None:
        payload["before"] = before
    if after is not None:
        payload["after"] = after
    event_ = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        subject_type=getattr(type(subject), "__tablename__", type(subject).__name__),
        subject_id=str(getattr(subject, "id", subject)),
        data=payload,
    )
    db.session.add(event_)
    return event_
