"""The organisation clock: the one source of "now" and of every calendar notion.

Timestamps are stored in UTC. Everything that is a *day* — a KPI record day, "today", a due
date, a quiz or certificate expiry, a week, month or quarter — is a day in the organisation's
time zone (setting `TRAINER_TIMEZONE`, default Asia/Shanghai), computed here and nowhere else.
Tests travel in time with time-machine, which patches `datetime.now`.
"""

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"
PERIOD_KINDS = ("week", "month", "quarter")


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone `name`; ValueError naming it when unknown (a configuration typo)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r} (TRAINER_TIMEZONE)") from error


def zone() -> ZoneInfo:
    """The organisation's time zone (the app's TRAINER_TIMEZONE; the default outside an app)."""
    name = current_app.config.get("TRAINER_TIMEZONE", DEFAULT_ZONE) if has_app_context() else None
    return zone_named(name or DEFAULT_ZONE)


def zone_name() -> str:
    """The zone's IANA name, e.g. "Asia/Shanghai"."""
    return str(zone().key)


def utc_offset() -> str:
    """The zone's current offset from UTC, e.g. "+08:00"."""
    return now_local().strftime("%z")[:3] + ":" + now_local().strftime("%z")[3:]


def utcnow() -> datetime:
    """Current time, timezone-aware UTC (what the database stores)."""
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    """`moment` in the organisation's zone; a naive value is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone())


def now_local() -> datetime:
    """Current time in the organisation's zone."""
    return local(utcnow())


def local_date(moment: datetime) -> date:
    """The organisation's calendar day of an instant."""
    return local(moment).date()


def today() -> date:
    """The organisation's current calendar day (not the UTC date)."""
    return local_date(utcnow())


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day as UTC instants (end exclusive)."""
    start = datetime.combine(day, time.min, tzinfo=zone())
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone())
    return start.astimezone(UTC), end.astimezone(UTC)


def range_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[start, end) of the local days first..last (inclusive) as UTC instants."""
    return day_bounds(first)[0], day_bounds(last)[1]


def end_of_day(day: date) -> datetime:
    """The last instant of a local calendar day, in UTC (a due date or "valid until" day)."""
    return day_bounds(day)[1] - timedelta(microseconds=1)


def days_after(moment: datetime, days: int) -> datetime:
    """End of the local day `days` calendar days after `moment`'s local day (validity ends)."""
    return end_of_day(local_date(moment) + timedelta(days=days))


def start_of_day_after(moment: datetime, days: int) -> datetime:
    """Start of the local day `days` calendar days after `moment`'s local day (a lapse date)."""
    return day_bounds(local_date(moment) + timedelta(days=days))[0]


def is_overdue(due_at: datetime | None, now: datetime | None = None) -> bool:
    """True once the due instant has passed."""
    return due_at is not None and (now or utcnow()) > due_at


def period_of(kind: str, day: date | datetime | None = None) -> tuple[date, date]:
    """First and last local day of the week (Mon-Sun), month or quarter containing `day`.

    `day` may be a date, an instant (taken in the organisation's zone) or None for today.
    """
    if day is None:
        day = today()
    elif isinstance(day, datetime):
        day = local_date(day)
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if kind == "month":
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if kind == "quarter":
        first_month = 3 * ((day.month - 1) // 3) + 1
        last_month = first_month + 2
        return (
            date(day.year, first_month, 1),
            date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]),
        )
    raise ValueError(f"unknown period kind {kind!r}")


def iso_local(moment: datetime | None) -> str:
    """ISO 8601 in the organisation's zone with its offset (exports): 2026-11-11T00:30:00+08:00."""
    return local(moment).isoformat(timespec="seconds") if moment else ""


def format_local(moment: datetime | None, with_zone: bool = True) -> str:
    """ "2026-11-11 00:30 (Asia/Shanghai)" for pages where the zone matters."""
    if moment is None:
        return ""
    text = local(moment).strftime("%Y-%m-%d %H:%M")
    return f"{text} ({zone_name()})" if with_zone else text


def date_local(moment: datetime | None) -> str:
    """The local calendar day of an instant as YYYY-MM-DD ("" for None)."""
    return local_date(moment).isoformat() if moment else ""


def date_of_iso(text: str | None) -> str:
    """The local calendar day of a stored ISO timestamp string ("—" when empty or unreadable)."""
    if not text:
        return "—"
    try:
        return date_local(datetime.fromisoformat(str(text)))
    except ValueError:
        return str(text)[:10]


def parse_local_day(text: str) -> date:
    """A day from "YYYY-MM-DD" (a local day) or an ISO timestamp (its local day); ValueError."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone())
    return local_date(moment)


def init_app(app) -> None:
    """Check the configured zone at startup and offer the clock to templates."""
    name = app.config.setdefault("TRAINER_TIMEZONE", DEFAULT_ZONE)
    zone_named(name)
    app.config["BABEL_DEFAULT_TIMEZONE"] = name  # Babel formats times in the same zone
    app.jinja_env.filters["localdate"] = date_local
    app.jinja_env.filters["localtime"] = format_local
    app.jinja_env.filters["isolocal"] = iso_local
    app.jinja_env.filters["isodate"] = date_of_iso
    app.jinja_env.globals["org_timezone"] = zone_name
    app.jinja_env.globals["org_utc_offset"] = utc_offset
