"""Role-play tables: scenarios and their versions, assignments, sessions, turns and grades."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.extensions import db

ACTIVE, ENDED, GRADING, GRADED = "active", "ended", "grading", "graded"
AGENT, CUSTOMER = "agent", "customer"


class Scenario(db.Model):
    """A role-play scenario; its content lives in versions, the newest one is current."""

    __tablename__ = "roleplay_scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    category: Mapped[str] = mapped_column(String(40), index=True)
    difficulty: Mapped[int] = mapped_column(default=1)
    published: Mapped[bool] = mapped_column(default=False, index=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("roleplay_scenario_versions.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    current_version: Mapped["ScenarioVersion | None"] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    versions: Mapped[list["ScenarioVersion"]] = relationship(
        back_populates="scenario",
        foreign_keys="ScenarioVersion.scenario_id",
        order_by="ScenarioVersion.number.desc()",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Scenario {self.id} {self.slug}>"


class ScenarioVersion(db.Model):
    """One immutable version of a scenario's content (the validated spec and its YAML)."""

    __tablename__ = "roleplay_scenario_versions"
    __table_args__ = (UniqueConstraint("scenario_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("roleplay_scenarios.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column()
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    yaml_text: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20))  # file | editor | import | clone
    # A draft is saved only to be tried from the builder: never current, never listed, numbered
    # below zero so the version numbers people see stay 1, 2, 3 …
    draft: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scenario: Mapped[Scenario] = relationship(back_populates="versions", foreign_keys=[scenario_id])
    created_by = relationship("User")

    def __repr__(self) -> str:
        return f"<ScenarioVersion {self.scenario_id} v{self.number}>"


class RoleplayAssignment(db.Model):
    """A scenario a trainer or manager asked an agent to practise."""

    __tablename__ = "roleplay_assignments"
    __table_args__ = (UniqueConstraint("scenario_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("roleplay_scenarios.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scenario: Mapped[Scenario] = relationship()
    user = relationship("User", foreign_keys=[user_id])
    assigned_by = relationship("User", foreign_keys=[assigned_by_id])

    def __repr__(self) -> str:
        return f"<RoleplayAssignment {self.scenario_id} user={self.user_id}>"


class RoleplaySession(db.Model):
    """One conversation of an agent with the simulated customer of one scenario version."""

    __tablename__ = "roleplay_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("roleplay_scenarios.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("roleplay_scenario_versions.id"))
    difficulty: Mapped[int] = mapped_column(default=1)
    engine: Mapped[str] = mapped_column(String(20))  # scripted | openai
    model: Mapped[str | None] = mapped_column(String(120))
    trial: Mapped[bool] = mapped_column(default=False)  # a trainer's "try it" run
    status: Mapped[str] = mapped_column(String(20), default=ACTIVE, index=True)
    end_reason: Mapped[str | None] = mapped_column(String(20))
    mood: Mapped[int] = mapped_column(default=50)
    # The customer's state (conversation.State.to_json), updated with each reply.
    state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    first_response_seconds: Mapped[float | None] = mapped_column(Float)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # When a grader claimed the session (status "grading"); see autograde.py.
    grading_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    scenario: Mapped[Scenario] = relationship()
    version: Mapped[ScenarioVersion] = relationship()
    turns: Mapped[list["RoleplayTurn"]] = relationship(
        back_populates="session", order_by="RoleplayTurn.seq", cascade="all, delete-orphan"
    )
    grade: Mapped["RoleplayGrade | None"] = relationship(
        back_populates="session", uselist=False, cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<RoleplaySession {self.id} user={self.user_id} {self.status}>"


class RoleplayTurn(db.Model):
    """One message, stamped by the server when it arrived (agent) or was complete (customer)."""

    __tablename__ = "roleplay_turns"
    # The unique position makes two concurrent replies to the same turn impossible.
    __table_args__ = (UniqueConstraint("session_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("roleplay_sessions.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column()
    speaker: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    response_seconds: Mapped[float | None] = mapped_column(Float)  # agent turns
    mood: Mapped[int | None] = mapped_column()  # customer turns: mood after the reply
    tokens: Mapped[int] = mapped_column(default=0)  # LLM tokens spent on this reply
    model_seconds: Mapped[float | None] = mapped_column(Float)  # time the engine took

    session: Mapped[RoleplaySession] = relationship(back_populates="turns")

    def __repr__(self) -> str:
        return f"<RoleplayTurn {self.session_id}#{self.seq} {self.speaker}>"


class RoleplayGrade(db.Model):
    """The grade of a session: the automatic items, flags, and the reviewed final result."""

    __tablename__ = "roleplay_grades"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("roleplay_sessions.id", ondelete="CASCADE"), unique=True
    )
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    judge: Mapped[str] = mapped_column(String(20))  # llm | offline | offline_fallback
    judge_model: Mapped[str | None] = mapped_column(String(120))
    tokens: Mapped[int] = mapped_column(default=0)
    auto_total: Mapped[float] = mapped_column(Float)
    auto_passed: Mapped[bool] = mapped_column()
    auto_critical_failed: Mapped[bool] = mapped_column()
    total: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column()
    critical_failed: Mapped[bool] = mapped_column()
    flagged: Mapped[bool] = mapped_column(default=False, index=True)
    graded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    review_comment: Mapped[str | None] = mapped_column(Text)

    session: Mapped[RoleplaySession] = relationship(back_populates="grade")
    reviewer = relationship("User")
    overrides: Mapped[list["RoleplayItemOverride"]] = relationship(
        back_populates="grade", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<RoleplayGrade session={self.session_id} {self.total:.0f}>"


class RoleplayItemOverride(db.Model):
    """A trainer's score for one rubric item, replacing the automatic one, with a comment."""

    __tablename__ = "roleplay_item_overrides"
    __table_args__ = (UniqueConstraint("grade_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_id: Mapped[int] = mapped_column(
        ForeignKey("roleplay_grades.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[str] = mapped_column(String(60))
    auto_score: Mapped[int | None] = mapped_column()
    score: Mapped[int | None] = mapped_column()  # None: not applicable
    comment: Mapped[str] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    grade: Mapped[RoleplayGrade] = relationship(back_populates="overrides")
    reviewer = relationship("User")

    def __repr__(self) -> str:
        return f"<RoleplayItemOverride grade={self.grade_id} {self.item_id}={self.score}>"


class AIBudgetDay(db.Model):
    """One day's AI tokens of one budget ("org" or "user:<id>"): reserved by calls in flight,
    used by settled ones. Changed only by conditional UPDATEs in roleplay/budget.py."""

    __tablename__ = "ai_budget_days"
    __table_args__ = (UniqueConstraint("scope", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)  # the organisation's calendar day
    reserved: Mapped[int] = mapped_column(BigInteger, default=0)
    used: Mapped[int] = mapped_column(BigInteger, default=0)
    calls: Mapped[int] = mapped_column(default=0)
    refused: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<AIBudgetDay {self.scope} {self.day} used={self.used} reserved={self.reserved}>"


class AIBudgetLimit(db.Model):
    """A daily token limit an admin set ("org": the whole organisation); 0 means no limit."""

    __tablename__ = "ai_budget_limits"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    daily_tokens: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def id(self) -> str:
        """The budget's name, as the audit log's subject id."""
        return self.scope

    def __repr__(self) -> str:
        return f"<AIBudgetLimit {self.scope}={self.daily_tokens}>"
