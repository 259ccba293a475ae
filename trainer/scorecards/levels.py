"""Certification levels as scorecards show them, from the source the layer above registers.

Certification sits above scorecards, so scorecards never imports it: certification hands its
`incentive_levels` over at start-up with `register_level_source`.
"""

from collections.abc import Callable, Iterable
from datetime import date

from flask import Flask, current_app

LevelSource = Callable[[Iterable[int], date], dict[int, tuple[str, float]]]
_KEY = "trainer_level_source"


def register_level_source(app: Flask, source: LevelSource) -> None:
    """Let scorecards label agents and weigh incentives with `source` (label, multiplier)."""
    app.extensions[_KEY] = source


def agent_levels(user_ids: Iterable[int], on: date) -> dict[int, tuple[str, float]]:
    """(level label, incentive multiplier) per agent on `on`; none without a registered source."""
    source = current_app.extensions.get(_KEY)
    return source(user_ids, on) if source is not None else {}
