"""KPI records (daily per agent and per team) and API tokens."""

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.extensions import db


class KpiRecord(db.Model):
    """One agent's helpdesk figures for one day (re-importing the day replaces them).

    Rates are per cent as the helpdesk reports them for the day; period values are averages
    weighted by conversations (CSAT by its number of ratings), so they aggregate in SQL.
    """

    __tablename__ = "kpi_records"
    __table_args__ = (UniqueConstraint("agent_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date, index=True)
    conversations: Mapped[int] = mapped_column(default=0)
    first_response_seconds: Mapped[float | None] = mapped_column(Float)
    response_rate: Mapped[float | None] = mapped_column(Float)
    resolution_rate: Mapped[float | None] = mapped_column(Float)
    csat: Mapped[float | None] = mapped_column(Float)
    csat_responses: Mapped[int | None]
    repeat_contact_rate: Mapped[float | None] = mapped_column(Float)
    qa_score: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20), default="csv")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agent = relationship("User")

    def __repr__(self) -> str:
        return f"<KpiRecord agent={self.agent_id} {self.day}>"


class TeamKpiRecord(db.Model):
    """A team's figures for one day: service cost saving and customer churn (per cent)."""

    __tablename__ = "team_kpi_records"
    __table_args__ = (UniqueConstraint("team_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date, index=True)
    cost_saving_rate: Mapped[float | None] = mapped_column(Float)
    churn_rate: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20), default="csv")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<TeamKpiRecord team={self.team_id} {self.day}>"


class ApiToken(db.Model):
    """A per-integration token that may write KPI records and nothing else.

    Only the SHA-256 of the token is stored; the token itself is shown once at creation.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(40), default="kpi:write")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by = relationship("User")

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.name!r}>"
