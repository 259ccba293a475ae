"""Weeks, months and quarters."""

from datetime import date

from trainer.scorecards.periods import (
    parse_period,
    period_containing,
    previous_quarter,
    quarter_bounds,
    quarter_of,
)


def test_week_runs_monday_to_sunday():
    week = period_containing("week", date(2026, 11, 20))
    assert (week.start, week.end) == (date(2026, 11, 16), date(2026, 11, 22))
    assert week.previous().start == date(2026, 11, 9)


def test_month_and_quarter():
    month = period_containing("month", date(2026, 2, 10))
    assert (month.start, month.end) == (date(2026, 2, 1), date(2026, 2, 28))
    quarter = period_containing("quarter", date(2026, 11, 20))
    assert (quarter.start, quarter.end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter.next().start == date(2027, 1, 1)
    assert quarter.quarter == "2026-Q4"


def test_quarter_helpers():
    assert quarter_of(date(2026, 3, 31)) == "2026-Q1"
    assert quarter_bounds("2026-Q2") == (date(2026, 4, 1), date(2026, 6, 30))
    assert previous_quarter("2026-Q1") == "2025-Q4"


def test_bad_input_falls_back_to_the_current_month():
    today = date(2026, 11, 20)
    assert parse_period("decade", "garbage", today) == period_containing("month", today)
    assert parse_period("week", "1900-01-01", today) == period_containing("week", today)
    assert parse_period("quarter", "2026-05-05", today).start == date(2026, 4, 1)
