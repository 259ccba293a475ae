"""API tokens for helpdesk integrations: created by admins, shown once, stored as a hash."""

import hashlib
import hmac
import secrets
from typing import Any

from trainer.core import audit
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.scorecards.models import ApiToken

TOKEN_PREFIX = "trk_"  # noqa: S105 - a public marker, not a secret
KPI_WRITE = "kpi:write"
# last_used_at is written at most once a minute, so a busy integration does not write every call.
TOUCH_SECONDS = 60


class TokenError(ValueError):
    """A user-facing reason a token operation was refused."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(name: str, *, actor: Any) -> tuple[ApiToken, str]:
    """A new token for an integration; returns the row and the token text (shown only once)."""
    name = (name or "").strip()
    if not name:
        raise TokenError(_("Give the integration a name."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name[:120],
        token_hash=_digest(secret),
        prefix=secret[:10],
        scope=KPI_WRITE,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token.create", token, after={"name": token.name, "scope": token.scope})
    return token, secret


def revoke_token(token: ApiToken, *, actor: Any) -> None:
    """Stop a token from working; audited."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    db.session.flush()
    audit.record(actor, "api_token.revoke", token, before={"active": True}, after={"active": False})


def token_from_header(header: str | None, scope: str = KPI_WRITE) -> ApiToken | None:
    """The active token named by an `Authorization: Bearer …` header with `scope`, else None."""
    if not header or not header.startswith("Bearer "):
        return None
    secret = header.removeprefix("Bearer ").strip()
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    digest = _digest(secret)
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    if token.revoked_at is not None or token.scope != scope:
        return None
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOUCH_SECONDS:
        token.last_used_at = now
    return token


def list_tokens() -> list[ApiToken]:
    """All tokens, newest first."""
    return list(db.session.scalars(db.select(ApiToken).order_by(ApiToken.created_at.desc())))
