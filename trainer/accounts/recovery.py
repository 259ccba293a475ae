"""Account recovery: single-use reset links (by e-mail, or handed over by an admin).

Only a SHA-256 of each token is stored. The self-service mail is sent by a job, which also makes
the token, so the raw token exists only in that mail (never in the database or the job queue).
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ForeignKey, String, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.accounts import sessions
from trainer.accounts.models import User
from trainer.accounts.passwords import hash_password, password_problems
from trainer.core import audit
from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.core.i18n import _
from trainer.extensions import db

SELF, ADMIN_LINK = "self", "admin"


class RecoveryError(ValueError):
    """A refused reset, with a message for the user."""


class PasswordResetToken(db.Model):
    """A single-use password reset link: its hash, who it is for, until when."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _retire_open_tokens(user: User, now: datetime) -> None:
    """Older links stop working when a new one is made or a reset completes."""
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )


def issue_token(user: User, purpose: str, *, actor: Any = None) -> str:
    """Make a new reset token for `user` (older ones retired); returns the raw token."""
    now = utcnow()
    lifetime = (
        timedelta(minutes=current_app.config["TRAINER_RESET_TOKEN_MINUTES"])
        if purpose == SELF
        else timedelta(hours=current_app.config["TRAINER_ADMIN_RESET_LINK_HOURS"])
    )
    _retire_open_tokens(user, now)
    raw = secrets.token_urlsafe(32)
    token = PasswordResetToken(
        user_id=user.id,
        token_hash=_digest(raw),
        purpose=purpose,
        created_at=now,
        expires_at=now + lifetime,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(actor or user, "user.reset_link", user, purpose=purpose, token_id=token.id)
    return raw


def valid_token(raw: str) -> PasswordResetToken | None:
    """The unused, unexpired token for an active user, or None."""
    if not raw or len(raw) > 100:
        return None
    token = db.session.scalar(
        db.select(PasswordResetToken).where(PasswordResetToken.token_hash == _digest(raw))
    )
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    return token if token.user.active else None


def complete_reset(raw: str, new_password: str) -> User:
    """Set the new password through a valid link, once; every session of the user ends."""
    token = valid_token(raw)
    if token is None:
        raise RecoveryError(_("This reset link is not valid any more. Ask for a new one."))
    user = token.user
    problems = password_problems(new_password, email=user.email, name=user.name)
    if problems:
        raise RecoveryError(" ".join(problems))
    now = utcnow()
    claimed = db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == token.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:  # two tabs submitting the same link: only one wins
        raise RecoveryError(_("This reset link is not valid any more. Ask for a new one."))
    _retire_open_tokens(user, now)
    user.password_hash = hash_password(new_password)
    sessions.revoke_all_sessions(user)
    audit.record(user, "user.password_reset", user, purpose=token.purpose, token_id=token.id)
    return user
