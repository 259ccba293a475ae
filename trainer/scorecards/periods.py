"""Scorecard periods: ISO weeks, calendar months and quarters."""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from trainer.core import clock
from trainer.core.i18n import _

KINDS = ("week", "month", "quarter")
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class Period:
    """A closed range of days [start, end] of one kind."""

    kind: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def quarter(self) -> str:
        """The quarter the period ends in (OKRs are scored per quarter)."""
        return quarter_of(self.end)

    @property
    def label(self) -> str:
        if self.kind == "week":
            year, week, _day = self.start.isocalendar()
            return _("%(year)d week %(week)d", year=year, week=week)
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        return quarter_of(self.start)

    def previous(self) -> "Period":
        return period_containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> "Period":
        return period_containing(self.kind, self.end + timedelta(days=1))

    def clipped_end(self, today: date) -> date:
        """The last day with data so far: the period's end, or today for the running period."""
        return min(self.end, today)


def quarter_of(day: date) -> str:
    """ "2026-Q4" for a day in October-December 2026."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """First and last day of a quarter given as "YYYY-Qn"; ValueError if malformed."""
    match = QUARTER_RE.match(quarter or "")
    if not match:
        raise ValueError(f"not a quarter: {quarter!r}")
    year, q = int(match.group(1)), int(match.group(2))
    first = date(year, 3 * q - 2, 1)
    last_month = 3 * q
    return first, date(year, last_month, calendar.monthrange(year, last_month)[1])


def previous_quarter(quarter: str) -> str:
    """The quarter before "YYYY-Qn"."""
    start, _end = quarter_bounds(quarter)
    return quarter_of(start - timedelta(days=1))


def period_containing(kind: str, day: date) -> Period:
    """The week (Monday-Sunday), month or quarter that contains `day` (a local day)."""
    start, end = clock.period_of(kind, day)
    return Period(kind, start, end)


def parse_period(kind: str | None, on: str | None, today: date) -> Period:
    """The period of `kind` containing the ISO date `on`; bad input gives the current month."""
    if kind not in KINDS:
        kind = "month"
    try:
        day = date.fromisoformat(on) if on else today
    except ValueError:
        day = today
    # Far-away dates are typos, not requests; keep navigation within a sane range.
    if not date(2000, 1, 1) <= day <= today + timedelta(days=366):
        day = today
    return period_containing(kind, day)
