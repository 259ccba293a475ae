"""The one source of "now", so tests can travel in time (time-machine patches it)."""

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Current UTC date."""
    return utcnow().date()
