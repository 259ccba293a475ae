"""Role-play forms: the YAML editor, import, clone, assignment and the trainer's review."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from trainer.core.forms import choices
from trainer.core.i18n import _l
from trainer.roleplay.labels import score_label
from trainer.roleplay.scenarios import SLUG_RE

SLUG_MESSAGE = _l("Use lowercase letters, digits and hyphens.")


class ScenarioYamlForm(FlaskForm):
    """The whole scenario as YAML, for people who prefer the file format."""

    content = TextAreaField(
        _l("Scenario (YAML)"),
        validators=[DataRequired(), Length(max=200_000)],
        description=_l("Same format as the shipped scenario files."),
        render_kw={"class": "rp-yaml", "spellcheck": "false", "rows": 40},
    )


class ImportForm(FlaskForm):
    """Upload a scenario YAML file, or paste its text."""

    file = FileField(_l("YAML file"))
    text = TextAreaField(
        _l("…or paste the YAML"),
        validators=[Length(max=200_000)],
        render_kw={"class": "rp-yaml", "spellcheck": "false", "rows": 12},
    )


class CloneForm(FlaskForm):
    """The slug of the copy."""

    new_slug = StringField(
        _l("Slug of the copy"),
        validators=[DataRequired(), Length(max=80), Regexp(SLUG_RE, message=SLUG_MESSAGE)],
    )


class AssignForm(FlaskForm):
    """Assign a scenario to a team or one agent, with an optional due date."""

    scenario = SelectField(_l("Scenario"), validators=[InputRequired()])
    team = SelectField(_l("Team"), coerce=int, default=0)
    agent = SelectField(_l("…or one agent"), coerce=int, default=0)
    due = DateField(_l("Due date"), validators=[Optional()])


def review_form(items: list[dict], na_allowed: dict[str, bool], data: dict | None = None):
    """A form with a score and a comment per rubric item, plus an overall comment."""

    class ReviewForm(FlaskForm):
        comment = TextAreaField(_l("Comment for the agent"), validators=[Length(max=2000)])

    for item in items:
        values = list(range(item["min"], item["max"] + 1))
        options = [(str(v), score_label(item, v)) for v in values]
        if na_allowed.get(item["id"]):
            options.append(("na", _l("N/A")))
        setattr(
            ReviewForm,
            f"score_{item['id']}",
            SelectField(_l("Score"), choices=choices(options), validators=[InputRequired()]),
        )
        setattr(
            ReviewForm,
            f"note_{item['id']}",
            TextAreaField(_l("Why"), validators=[Length(max=1000)], render_kw={"rows": 2}),
        )
    return ReviewForm(data=data)


class OrgBudgetForm(FlaskForm):
    """The organisation's daily AI token budget (0: no organisation-wide limit)."""

    daily_tokens = IntegerField(
        _l("Organisation's AI tokens per day"),
        validators=[
            InputRequired(),
            NumberRange(min=0, max=10**12, message=_l("Enter a whole number from 0 upwards.")),
        ],
        description=_l("Shared by every agent's role-plays and grades; 0 means no limit."),
    )
