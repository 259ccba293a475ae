"""Form helpers shared by features."""

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectChoice, TextAreaField
from wtforms.validators import DataRequired, Length

from trainer.core.i18n import _l


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs (WTForms 3.3 deprecates bare tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


class ConfigForm(FlaskForm):
    """An admin's edited YAML config document."""

    content = TextAreaField(_l("YAML"), validators=[DataRequired(), Length(max=100_000)])
