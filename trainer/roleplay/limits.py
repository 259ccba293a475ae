"""Per-user caps on the chat: message length, turns per minute, reply size, daily LLM tokens."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from trainer.core.i18n import _
from trainer.extensions import db
from trainer.roleplay.models import AGENT, RoleplayGrade, RoleplaySession, RoleplayTurn

DEFAULTS = {
    "ROLEPLAY_MAX_MESSAGE_CHARS": 500,
    "ROLEPLAY_TURNS_PER_MINUTE": 12,
    "ROLEPLAY_MAX_REPLY_TOKENS": 300,
    "ROLEPLAY_MAX_REPLY_CHARS": 400,
    "ROLEPLAY_DAILY_TOKENS": 60_000,
}


class TurnRefused(Exception):
    """A chat action the server will not take; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def cap(name: str) -> int:
    """A configured cap (see DEFAULTS)."""
    return int(current_app.config.get(name, DEFAULTS[name]))


def check_message(text: str) -> str:
    """The message, cleaned; refuses empty and over-long ones."""
    cleaned = "".join(ch for ch in (text or "") if ch == "\n" or ch >= " ").strip()
    if not cleaned:
        raise TurnRefused(_("Write a message first."))
    limit = cap("ROLEPLAY_MAX_MESSAGE_CHARS")
    if len(cleaned) > limit:
        raise TurnRefused(_("A message can be at most %(n)d characters.", n=limit))
    return cleaned


def check_turn_rate(user, now: datetime) -> None:
    """At most ROLEPLAY_TURNS_PER_MINUTE agent turns per user in any 60 seconds."""
    limit = cap("ROLEPLAY_TURNS_PER_MINUTE")
    recent = db.session.scalar(
        db.select(db.func.count(RoleplayTurn.id))
        .join(RoleplaySession, RoleplaySession.id == RoleplayTurn.session_id)
        .where(
            RoleplaySession.user_id == user.id,
            RoleplayTurn.speaker == AGENT,
            RoleplayTurn.created_at > now - timedelta(seconds=60),
        )
    )
    if recent >= limit:
        raise TurnRefused(
            _(
                "You are sending messages too fast (at most %(n)d a minute). Wait a moment.",
                n=limit,
            ),
            429,
        )


def day_start(now: datetime) -> datetime:
    """Midnight of `now`'s day in the site's time zone, as an aware datetime."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))
    local = now.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def tokens_today(user, now: datetime) -> int:
    """LLM tokens the user's conversations and grades used today."""
    since = day_start(now)
    replies = db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(RoleplayTurn.tokens), 0))
        .join(RoleplaySession, RoleplaySession.id == RoleplayTurn.session_id)
        .where(RoleplaySession.user_id == user.id, RoleplayTurn.created_at >= since)
    )
    grades = db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(RoleplayGrade.tokens), 0))
        .join(RoleplaySession, RoleplaySession.id == RoleplayGrade.session_id)
        .where(RoleplaySession.user_id == user.id, RoleplayGrade.graded_at >= since)
    )
    return int(replies) + int(grades)


def check_daily_tokens(user, now: datetime) -> None:
    """Refuse new model calls once the user spent today's token budget."""
    limit = cap("ROLEPLAY_DAILY_TOKENS")
    if tokens_today(user, now) >= limit:
        raise TurnRefused(
            _("You have used today's AI practice budget. Please continue tomorrow."), 429
        )
