"""Spreadsheet-safe CSV cells for the scorecard exports (the helper lives in trainer.core)."""

from trainer.core.csvcells import FORMULA_STARTS, text_cell

__all__ = ["FORMULA_STARTS", "text_cell"]
