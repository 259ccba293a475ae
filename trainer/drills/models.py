"""Drill tables: drills and their versions, runs, the customers of a run, saved phrases."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.extensions import db

RUNNING, FINISHED = "running", "finished"


class Drill(db.Model):
    """A peak-surge drill; its content lives in versions, the newest one is current."""

    __tablename__ = "drills"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("drill_versions.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    current_version: Mapped["DrillVersion | None"] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )

    def __repr__(self) -> str:
        return f"<Drill {self.id} {self.slug}>"


class DrillVersion(db.Model):
    """One immutable version of a drill (the validated spec and its YAML)."""

    __tablename__ = "drill_versions"
    __table_args__ = (UniqueConstraint("drill_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    yaml_text: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20))  # file | editor
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    drill: Mapped[Drill] = relationship(foreign_keys=[drill_id])

    def __repr__(self) -> str:
        return f"<DrillVersion {self.drill_id} v{self.number}>"


class DrillRun(db.Model):
    """One agent running one drill version; its customers arrive by the server's clock."""

    __tablename__ = "drill_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("drill_versions.id"))
    status: Mapped[str] = mapped_column(String(20), default=RUNNING, index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The finished run's figures as drills.results computed them (drills/figures.py); NULL
    # while running, and after a policy change until recomputed: readers compute them then.
    figures: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))

    user = relationship("User")
    drill: Mapped[Drill] = relationship()
    version: Mapped[DrillVersion] = relationship()
    customers: Mapped[list["DrillCustomer"]] = relationship(
        back_populates="run", order_by="DrillCustomer.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<DrillRun {self.id} user={self.user_id} {self.status}>"


class DrillCustomer(db.Model):
    """A customer of a run: a full role-play session, opened when the customer arrives."""

    __tablename__ = "drill_customers"
    __table_args__ = (UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("drill_runs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    scenario_slug: Mapped[str] = mapped_column(String(80))
    arrives_at: Mapped[datetime] = mapped_column(UTCDateTime)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("roleplay_sessions.id", ondelete="SET NULL"), unique=True
    )
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    run: Mapped[DrillRun] = relationship(back_populates="customers")
    session = relationship("RoleplaySession")

    def __repr__(self) -> str:
        return f"<DrillCustomer {self.run_id}#{self.position} {self.scenario_slug}>"


class DrillPhrase(db.Model):
    """A quick reply an agent saved for drills."""

    __tablename__ = "drill_phrases"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<DrillPhrase {self.id} user={self.user_id}>"
