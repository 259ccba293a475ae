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
    # The person the entry is about (an agent whose grade, level or account changed), if any.
    subject_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor = relationship("User", foreign_keys=[actor_id])
    subject_user = relationship("User", foreign_keys=[subject_user_id])

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.subject_type}:{self.subject_id}>"


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(mapper, connection, target) -> None:
    raise RuntimeError("the audit log is append-only")


def person_of(subject: Any, data: dict) -> int | None:
    """Who an entry is about: a `user_id` in its data, the user itself, or the subject's owner."""
    if isinstance(data.get("user_id"), int):
        return data["user_id"]
    if getattr(type(subject), "__tablename__", None) == "users":
        return getattr(subject, "id", None)
    for attribute in ("user_id", "agent_id"):
        if isinstance(value := getattr(subject, attribute, None), int):
            return value
    owner = getattr(getattr(subject, "session", None), "user_id", None)  # a role-play grade
    return owner if isinstance(owner, int) else None


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
        subject_user_id=person_of(subject, payload),
        data=payload,
    )
    db.session.add(event_)
    return event_
