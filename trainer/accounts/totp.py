"""Optional two-factor sign-in (TOTP, RFC 6238) with single-use recovery codes.

Managers and admins may turn it on; `TRAINER_TOTP_REQUIRED_ROLES` (e.g. "manager,admin") makes
it compulsory for those roles. Recovery codes are stored as SHA-256 hashes and work once.
"""

import hashlib
import secrets
from datetime import datetime
from typing import Any

import pyotp
from flask import current_app
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from trainer.core import audit
from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.extensions import db

ALLOWED_ROLES = ("manager", "admin")
RECOVERY_CODES = 10


class TotpCredential(db.Model):
    """A user's TOTP secret (confirmed once a first code matched) and hashed recovery codes."""

    __tablename__ = "totp_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_step: Mapped[int] = mapped_column(default=0)  # a code is accepted once (no replay)
    recovery_hashes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def credential(user: Any) -> TotpCredential | None:
    """The user's credential row, confirmed or not."""
    return db.session.scalar(db.select(TotpCredential).where(TotpCredential.user_id == user.id))


def enabled_for(user: Any) -> bool:
    """Does signing in need a code?"""
    row = credential(user)
    return row is not None and row.confirmed_at is not None


def required_for(user: Any) -> bool:
    """Is two-factor compulsory for the user's role (site setting)?"""
    roles = current_app.config.get("TRAINER_TOTP_REQUIRED_ROLES", "")
    return user.role in {r.strip() for r in roles.split(",") if r.strip()}


def start_enrolment(user: Any) -> str:
    """A fresh secret for the user (replacing an unconfirmed one); returns it."""
    row = credential(user)
    if row is None:
        row = TotpCredential(user_id=user.id, secret=pyotp.random_base32())
        db.session.add(row)
    elif row.confirmed_at is None:
        row.secret = pyotp.random_base32()
    db.session.flush()
    return row.secret


def provisioning_uri(user: Any, secret: str) -> str:
    """The otpauth:// URI authenticator apps read."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Trainer")


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step the code belongs to (now ±1 step), or None."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.at(candidate * totp.interval), code):
            return candidate
    return None


def confirm(user: Any, code: str) -> list[str] | None:
    """Turn two-factor on when `code` matches; returns the new recovery codes (shown once)."""
    row = credential(user)
    if row is None or row.confirmed_at is not None:
        return None
    step = _matching_step(row.secret, code, utcnow())
    if step is None:
        return None
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    row.confirmed_at, row.last_step = utcnow(), step
    row.recovery_hashes = [_hash(c) for c in codes]
    audit.record(user, "user.totp_enabled", user)
    return codes


def verify(user: Any, code: str) -> bool:
    """A current code (not used before) or an unused recovery code (then spent)."""
    row = credential(user)
    if row is None or row.confirmed_at is None:
        return False
    step = _matching_step(row.secret, code, utcnow())
    if step is not None and step > row.last_step:
        row.last_step = step
        return True
    hashed = _hash(code or "")
    if hashed in row.recovery_hashes:
        row.recovery_hashes = [h for h in row.recovery_hashes if h != hashed]
        audit.record(user, "user.totp_recovery_code", user, left=len(row.recovery_hashes))
        return True
    return False


def disable(user: Any, actor: Any) -> None:
    """Turn two-factor off (the user, or an admin for a user who lost their device)."""
    row = credential(user)
    if row is not None:
        db.session.delete(row)
        audit.record(actor, "user.totp_disabled", user)
