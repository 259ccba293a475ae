"""Users, teams and server-side login sessions."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.extensions import db


class Team(db.Model):
    """A group of agents led by a manager."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # post_update: teams and users point at each other, so the manager is set in a second UPDATE.
    manager: Mapped["User | None"] = relationship(foreign_keys=[manager_id], post_update=True)
    members: Mapped[list["User"]] = relationship(
        back_populates="team", foreign_keys="User.team_id", order_by="User.name"
    )

    def __repr__(self) -> str:
        return f"<Team {self.id} {self.name!r}>"


class User(UserMixin, db.Model):
    """A person who signs in: agent, trainer, manager or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20), index=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team | None] = relationship(back_populates="members", foreign_keys=[team_id])

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.active

    @property
    def is_authenticated(self) -> bool:
        # A User object only reaches Flask-Login from a live session of an active user
        # (accounts.sessions); not reading `active` here spares a reload after each commit.
        return True

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class AuthSession(db.Model):
    """A server-side login session, so logout and deactivation revoke it for real.

    The browser's signed cookie carries a random token; only its SHA-256 is stored here.
    """

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AuthSession {self.id} user={self.user_id}>"
