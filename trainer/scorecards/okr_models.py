"""OKRs: per agent and quarter up to three objectives, each with weighted key results."""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.extensions import db

DRAFT, SUBMITTED, APPROVED, RETURNED = "draft", "submitted", "approved", "returned"
OKR_STATUSES = (DRAFT, SUBMITTED, APPROVED, RETURNED)


class OkrSet(db.Model):
    """An agent's OKRs for one quarter: drafted by the agent, approved by the manager."""

    __tablename__ = "okr_sets"
    __table_args__ = (UniqueConstraint("agent_id", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    quarter: Mapped[str] = mapped_column(String(7), index=True)  # "2026-Q4"
    status: Mapped[str] = mapped_column(String(12), default=DRAFT)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    manager_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agent = relationship("User", foreign_keys=[agent_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    objectives: Mapped[list["OkrObjective"]] = relationship(
        back_populates="okr_set",
        order_by="OkrObjective.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<OkrSet {self.id} agent={self.agent_id} {self.quarter} {self.status}>"


class OkrObjective(db.Model):
    """One objective (e.g. "build a reply template library for Double 11")."""

    __tablename__ = "okr_objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("okr_sets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))

    okr_set: Mapped[OkrSet] = relationship(back_populates="objectives")
    key_results: Mapped[list["OkrKeyResult"]] = relationship(
        back_populates="objective",
        order_by="OkrKeyResult.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<OkrObjective {self.id} {self.title!r}>"


class OkrKeyResult(db.Model):
    """A measurable key result: progress from `start_value` towards `target`, weighted."""

    __tablename__ = "okr_key_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("okr_objectives.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20), default="")
    start_value: Mapped[float] = mapped_column(Float, default=0.0)
    target: Mapped[float] = mapped_column(Float)
    current: Mapped[float] = mapped_column(Float, default=0.0)
    weight: Mapped[float] = mapped_column(Float, default=1.0)

    objective: Mapped[OkrObjective] = relationship(back_populates="key_results")
    updates: Mapped[list["OkrProgressUpdate"]] = relationship(
        back_populates="key_result",
        order_by="OkrProgressUpdate.created_at.desc()",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<OkrKeyResult {self.id} {self.title!r}>"


class OkrProgressUpdate(db.Model):
    """A progress update on a key result: the new current value and a note."""

    __tablename__ = "okr_progress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_result_id: Mapped[int] = mapped_column(
        ForeignKey("okr_key_results.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(500), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    key_result: Mapped[OkrKeyResult] = relationship(back_populates="updates")

    def __repr__(self) -> str:
        return f"<OkrProgressUpdate kr={self.key_result_id} {self.value}>"
