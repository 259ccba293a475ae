"""Per-user caps on the chat: message length, turns per minute, reply size, daily LLM tokens."""

from datetime import datetime, timedelta

from flask import current_app

from trainer.core.i18n import _
from trainer.extensions import db
from trainer.roleplay import budget
from trainer.roleplay.models import AGENT, RoleplaySession, RoleplayTurn

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


def check_daily_tokens(user, now: datetime | None = None) -> None:
    """Refuse new model calls once the user's (or the organisation's) AI budget for today is
    spent; the reservation before each call (roleplay/budget.py) is what holds under races."""
    spent = budget.spent_budget(user.id)
    if spent == budget.ORG:
        raise TurnRefused(
            _(
                "The organisation's AI practice budget for today is spent. Please continue "
                "tomorrow."
            ),
            429,
        )
    if spent is not None:
        raise TurnRefused(
            _("You have used today's AI practice budget. Please continue tomorrow."), 429
        )
