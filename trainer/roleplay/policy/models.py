"""The platform compliance policy's versions (the newest one is in force)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.core.i18n import _
from trainer.extensions import db

SYNC_NOTE = "content sync"  # the note `flask content sync` stores, shown in words


class PolicyVersion(db.Model):
    """One immutable version of the platform policy: its YAML, parsed data, author and note."""

    __tablename__ = "roleplay_policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    yaml_text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20))  # file | editor
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by = relationship("User")

    @property
    def note_text(self) -> str:
        """The note as people read it (the content sync's own note in the UI language)."""
        return _("Loaded from the content folder") if self.note == SYNC_NOTE else self.note

    def __repr__(self) -> str:
        return f"<PolicyVersion v{self.number}>"
