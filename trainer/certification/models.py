"""Certifications (proposed, granted, lapsed…), certificates with codes, endorsements."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.extensions import db

PROPOSED, GRANTED, REJECTED, LAPSED, REVOKED = (
    "proposed",
    "granted",
    "rejected",
    "lapsed",
    "revoked",
)
OPEN_STATUSES = (PROPOSED, GRANTED)


class Certification(db.Model):
    """An agent's level: proposed by the engine (or a trainer), granted by a manager, and
    possibly lapsed or revoked later. Only one proposed or granted row per agent and level."""

    __tablename__ = "certifications"
    # At most one open (proposed or granted) certification per agent and level, even when two
    # sweeps or two managers act at the same moment.
    __table_args__ = (
        Index(
            "uq_certifications_open_level",
            "user_id",
            "level",
            unique=True,
            sqlite_where=text("status IN ('proposed', 'granted')"),
            postgresql_where=text("status IN ('proposed', 'granted')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), index=True)
    source: Mapped[str] = mapped_column(
        String(20), default="engine"
    )  # engine | nomination | override
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    granted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    kpi_below_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    certificate: Mapped["Certificate | None"] = relationship(
        back_populates="certification", uselist=False
    )

    def __repr__(self) -> str:
        return f"<Certification {self.id} user={self.user_id} {self.level} {self.status}>"


class Certificate(db.Model):
    """The printable certificate of a granted level, checked publicly by its verification code."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    certification_id: Mapped[int] = mapped_column(
        ForeignKey("certifications.id", ondelete="CASCADE"), unique=True
    )
    code: Mapped[str] = mapped_column(String(24), unique=True)
    holder_name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(8))
    level_name: Mapped[dict[str, str]] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    certification: Mapped[Certification] = relationship(back_populates="certificate")

    def __repr__(self) -> str:
        return f"<Certificate {self.code} {self.level}>"


class Endorsement(db.Model):
    """A trainer vouches that an agent is ready for a level (the top level requires one)."""

    __tablename__ = "endorsements"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(8))
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])
    trainer = relationship("User", foreign_keys=[trainer_id])

    def __repr__(self) -> str:
        return f"<Endorsement user={self.user_id} {self.level}>"
