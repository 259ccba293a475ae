"""Spreadsheet-safe CSV cells for the scorecard exports (the helper lives in trainer.core)."""

import io

from trainer.core.csvcells import FORMULA_STARTS, text_cell

__all__ = ["FORMULA_STARTS", "drain", "text_cell"]


def drain(buffer: io.StringIO) -> str:
    """What a csv writer wrote into `buffer` since the last drain (exports stream row by row)."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
