"""Moodle GIFT import and export."""

from trainer.quizzes.gift.parser import GiftError, GiftResult, parse_gift
from trainer.quizzes.gift.writer import write_gift

__all__ = ["GiftError", "GiftResult", "parse_gift", "write_gift"]
