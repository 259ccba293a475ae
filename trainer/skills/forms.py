"""Forms of the skills pages: a skill's next-step mode, and the skills map editor."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from trainer.core.forms import choices
from trainer.core.i18n import _l
from trainer.skills.models import AUTO, SUGGEST
from trainer.skills.settings import MAX_DUE_DAYS, MIN_DUE_DAYS


class SkillSettingForm(FlaskForm):
    """Suggest next steps only, or auto-assign them due in N days, for one skill."""

    skill = HiddenField(validators=[DataRequired(), Length(max=40)])
    mode = SelectField(
        _l("Next steps"),
        choices=choices([(SUGGEST, _l("Suggest only")), (AUTO, _l("Auto-assign"))]),
    )
    due_days = IntegerField(
        _l("Due in days"),
        default=7,
        validators=[InputRequired(), NumberRange(min=MIN_DUE_DAYS, max=MAX_DUE_DAYS)],
    )


class SkillMapForm(FlaskForm):
    """The skills map as YAML (courses/skills.yaml format)."""

    content = TextAreaField(_l("YAML"), validators=[DataRequired(), Length(max=100_000)])
