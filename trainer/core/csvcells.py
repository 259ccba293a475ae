"""Spreadsheet-safe CSV cells, for every export (scorecards, incentives, the audit log)."""

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: Any) -> str:
    """Text that a spreadsheet shows as text: a leading = + - @ tab or CR would run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
