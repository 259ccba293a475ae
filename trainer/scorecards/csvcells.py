"""Spreadsheet-safe CSV cells for the scorecard exports (the helper lives in trainer.core)."""

from trainer.core.csvcells import FORMULA_STARTS, csv_lines, text_cell

__all__ = ["FORMULA_STARTS", "csv_lines", "text_cell"]
