"""An agent's dispute of one marked item: a role-play rubric item or a quiz question."""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.extensions import db

ROLEPLAY, QUIZ = "roleplay", "quiz"
OPEN, KEPT, CHANGED = "open", "kept", "changed"


class Appeal(db.Model):
    """One appeal per marked item (`subject_id`: role-play grade or quiz attempt; `item`)."""

    __tablename__ = "appeals"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id", "item"),
        Index("ix_appeals_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column()
    item: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    before_score: Mapped[float | None] = mapped_column(Float)
    after_score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_comment: Mapped[str | None] = mapped_column(Text)

    user = relationship("User", foreign_keys=[user_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    def __repr__(self) -> str:
        return f"<Appeal {self.id} {self.kind}:{self.subject_id}:{self.item} {self.status}>"
