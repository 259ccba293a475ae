"""Server-side sessions: created at login, checked on every request, revoked on logout."""

import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request, session
from sqlalchemy import ColumnElement, bindparam, select, update
from sqlalchemy.orm import joinedload

from trainer.accounts.models import AuthSession, User
from trainer.core.clock import utcnow
from trainer.core.memo import memo_active, remember, session_key
from trainer.extensions import db

SESSION_KEY = "sid"
# last_seen_at is written at most once a minute, so reading pages does not write on every request.
TOUCH_INTERVAL_SECONDS = 60


def read_with_session(
    app: Flask,
    name: str,
    column: Callable[[ColumnElement], ColumnElement],
    *,
    per_user: bool = True,
    endpoints: frozenset[str] | None = None,
) -> None:
    """Have a GET request's session load also read `column(User.id)` (a scalar
    subquery) in the same statement, kept in the request memo under `memo.session_key(name,
    user_id)` (`session_key(name)` when not `per_user`): a figure every page needs (the unread
    notifications, the configuration's revision), or one page (`endpoints`) needs, then costs
    no query of its own."""
    app.extensions.setdefault("trainer_session_reads", {})[name] = (column, per_user, endpoints)


def _reads_here() -> dict[str, tuple]:
    """The reads registered for this request's page (none outside a GET)."""
    if not memo_active():
        return {}
    registered = current_app.extensions.get("trainer_session_reads", {})
    return {
        name: (column, per_user)
        for name, (column, per_user, endpoints) in registered.items()
        if endpoints is None or request.endpoint in endpoints
    }


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> AuthSession:
    """Open a new server-side session for `user` and put its token in a fresh cookie session."""
    token = secrets.token_urlsafe(32)
    auth = AuthSession(
        token_hash=_digest(token),
        user=user,
        ip=(request.remote_addr or "")[:64],
        user_agent=(request.user_agent.string or "")[:255],
    )
    db.session.add(auth)
    session.clear()  # a new session at login: nothing from before sign-in survives
    session.permanent = True
    session[SESSION_KEY] = token
    return auth


# The signed-in user and the session's own columns in one query, built once: the session row is
# not loaded as an object, and a touch or revocation is one UPDATE by its id.
_SESSION_USER_ONLY = (
    select(
        User,
        AuthSession.id,
        AuthSession.created_at,
        AuthSession.last_seen_at,
        AuthSession.revoked_at,
    )
    .join(AuthSession, AuthSession.user_id == User.id)
    .where(AuthSession.token_hash == bindparam("token_hash"))
)
# A page (GET, HEAD) also shows the user's team beside the name; a POST (an autosave, a form) seldom
# does, and the join and a second loaded object are a tenth of its cost (it loads the team
# lazily if it needs it).
_SESSION_USER = _SESSION_USER_ONLY.options(joinedload(User.team))


def _session_statement(reads: dict) -> Any:
    """The session's statement with the columns of `reads` added, built once per app and set of
    reads (the columns are expressions of the user's id column, the same on every request)."""
    if not memo_active():  # not a GET or HEAD
        return _SESSION_USER_ONLY
    if not reads:
        return _SESSION_USER
    built = current_app.extensions.setdefault("trainer_session_statements", {})
    key = tuple(reads)
    if key not in built:
        columns = (column(User.id) for column, _ in reads.values())
        built[key] = _SESSION_USER.add_columns(*columns)
    return built[key]


def load_session_user(user_id: str) -> User | None:
    """The user of the current cookie's session, if that session is alive; else None."""
    token = session.get(SESSION_KEY)
    if not token or not str(user_id).isdigit():
        return None
    # On a GET, the figures other features read with the session (read_with_session) come
    # as extra columns of the same statement: still one query per request.
    reads = _reads_here()
    statement = _session_statement(reads)
    row = db.session.execute(statement, {"token_hash": _digest(token)}).first()
    if row is None:
        return None
    user, auth_id, created_at, last_seen_at, revoked_at = row[:5]
    if revoked_at is not None or user.id != int(user_id):
        return None
    for (name, (_column, per_user)), value in zip(reads.items(), row[5:], strict=True):
        remember(session_key(name, user.id if per_user else None), value)
    now = utcnow()
    cfg = current_app.config
    expired = (
        now - created_at > cfg["PERMANENT_SESSION_LIFETIME"]
        or now - last_seen_at > cfg["SESSION_IDLE_TIMEOUT"]
    )
    if expired or not user.active:
        _update_session(auth_id, revoked_at=now)
        return None
    if (now - last_seen_at).total_seconds() > TOUCH_INTERVAL_SECONDS:
        _update_session(auth_id, last_seen_at=now)
    return user


def _update_session(auth_id: int, **values) -> None:
    """Write `values` to one session row and commit (a revocation or a once-a-minute touch)."""
    db.session.execute(update(AuthSession).where(AuthSession.id == auth_id).values(**values))
    db.session.commit()


def end_session() -> None:
    """Revoke the current cookie's server-side session and clear the cookie."""
    token = session.get(SESSION_KEY)
    if token:
        auth = db.session.scalar(
            db.select(AuthSession).where(AuthSession.token_hash == _digest(token))
        )
        if auth is not None and auth.revoked_at is None:
            auth.revoked_at = utcnow()
    session.clear()


def revoke_all_sessions(user: User, *, keep_current: bool = False) -> int:
    """Revoke every live session of `user` (deactivation, password reset); returns how many.

    With `keep_current`, the session of the request's own cookie stays alive (a password change
    signs out every other device, ASVS 5.0 V7.4.3, but not the person changing it).
    """
    now = utcnow()
    query = db.select(AuthSession).where(
        AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None)
    )
    token = session.get(SESSION_KEY) if keep_current else None
    if token:
        query = query.where(AuthSession.token_hash != _digest(token))
    live = db.session.scalars(query).all()
    for auth in live:
        auth.revoked_at = now
    return len(live)
