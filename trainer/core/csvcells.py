"""Spreadsheet-safe CSV cells, for every export (scorecards, incentives, the audit log)."""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: Any) -> str:
    """Text that a spreadsheet shows as text: a leading = + - @ tab or CR would run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """A CSV file as lines, for a streamed response: the BOM with the header (Excel then opens
    Chinese names correctly), then one line per row, so the text is never held whole in memory.
    Callers escape text cells with `text_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Sequence[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    yield "\ufeff" + line(header)
    for row in rows:
        yield line(row)
