"""Drill forms: an agent's quick-reply phrase, a trainer's drill file."""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from trainer.core.i18n import _l
from trainer.drills.phrases import MAX_CHARS


class PhraseForm(FlaskForm):
    """Save a quick reply."""

    text = StringField(_l("Phrase"), validators=[DataRequired(), Length(max=MAX_CHARS)])


class DrillForm(FlaskForm):
    """A drill as YAML (the file format), checked line by line on save."""

    yaml_text = TextAreaField(_l("Drill (YAML)"), validators=[DataRequired()])
