"""Tables of the skills feature: map versions, per-skill settings, remediations, snapshots."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.extensions import db

SUGGEST, AUTO = "suggest", "auto"
MODES = (SUGGEST, AUTO)


class SkillMapVersion(db.Model):
    """A version of the skills map (from `content sync` or a trainer's edit); newest in force."""

    __tablename__ = "skill_map_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    yaml_text: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20))  # file | editor
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SkillMapVersion {self.number}>"


class SkillSetting(db.Model):
    """A trainer's choice for one skill: next steps only suggested, or auto-assigned."""

    __tablename__ = "skill_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    skill: Mapped[str] = mapped_column(String(40), unique=True)
    mode: Mapped[str] = mapped_column(String(10), default=SUGGEST)
    due_days: Mapped[int] = mapped_column(default=7)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SkillSetting {self.skill} {self.mode}>"


class SkillRemediation(db.Model):
    """A remedial lesson + re-drill assigned automatically for a weak skill, and its effect.

    `before_score` is the skill's score when it was assigned; "did it work" compares it with
    the score computed from the evidence after `created_at`.
    """

    __tablename__ = "skill_remediations"
    __table_args__ = (UniqueConstraint("user_id", "skill", "trigger_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    skill: Mapped[str] = mapped_column(String(40), index=True)
    trigger_key: Mapped[str] = mapped_column(String(80))  # the evidence that caused it
    mode: Mapped[str] = mapped_column(String(10), default=SUGGEST)  # suggest | auto
    lesson: Mapped[str | None] = mapped_column(String(140))  # course/lesson
    scenario: Mapped[str | None] = mapped_column(String(80))
    reason: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    before_score: Mapped[float | None] = mapped_column(Float)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<SkillRemediation user={self.user_id} {self.skill}>"


class SkillSnapshot(db.Model):
    """An agent's evidence items and step progress, refreshed whenever new evidence is stored,
    so the home panel and result pages read one row (levels are computed from it on read)."""

    __tablename__ = "skill_snapshots"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SkillSnapshot user={self.user_id}>"
