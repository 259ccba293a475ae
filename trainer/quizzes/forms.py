"""Forms: a question of any type, a quiz, a GIFT upload."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from trainer.core.forms import choices
from trainer.core.i18n import _l

QTYPE_LABELS = {
    "single": _l("Single choice"),
    "multi": _l("Multiple choice"),
    "truefalse": _l("True / false"),
    "matching": _l("Matching"),
    "shortanswer": _l("Short answer"),
    "numerical": _l("Numerical"),
}
DIFFICULTY_LABELS = {"easy": _l("Easy"), "medium": _l("Medium"), "hard": _l("Hard")}
FORMAT_LABELS = {
    "moodle": _l("Markdown (Moodle auto-format)"),
    "markdown": _l("Markdown"),
    "plain": _l("Plain text"),
    "html": _l("HTML (sanitised)"),
}
GRADING_LABELS = {
    "highest": _l("Highest attempt"),
    "latest": _l("Latest attempt"),
    "first": _l("First attempt"),
    "average": _l("Average of attempts"),
}
REVIEW_LABELS = {
    "after_submit": _l("Show answers and feedback after submitting"),
    "after_close": _l("Show answers and feedback after the quiz closes"),
    "never": _l("Never show answers (score only)"),
}
CHOICE_ROWS, PAIR_ROWS, ANSWER_ROWS, NUMBER_ROWS, RULE_ROWS = 8, 8, 6, 4, 4


class ChoiceRow(Form):
    """An option with its weight and feedback."""

    text = StringField(_l("Option"), validators=[Optional(), Length(max=2000)])
    weight = FloatField(_l("Weight %"), default=0, validators=[Optional()])
    feedback = StringField(_l("Feedback"), validators=[Optional(), Length(max=2000)])


class PairRow(Form):
    """A matching pair."""

    left = StringField(_l("Left-hand item"), validators=[Optional(), Length(max=1000)])
    right = StringField(_l("Matches"), validators=[Optional(), Length(max=1000)])


class AnswerRow(Form):
    """An accepted short answer."""

    text = StringField(_l("Accepted answer"), validators=[Optional(), Length(max=500)])
    weight = FloatField(_l("Weight %"), default=100, validators=[Optional()])
    feedback = StringField(_l("Feedback"), validators=[Optional(), Length(max=2000)])


class NumberRow(Form):
    """An accepted number: value ± tolerance, or a range."""

    value = FloatField(_l("Value"), validators=[Optional()])
    tolerance = FloatField(_l("± tolerance"), default=0, validators=[Optional()])
    low = FloatField(_l("or from"), validators=[Optional()])
    high = FloatField(_l("to"), validators=[Optional()])
    weight = FloatField(_l("Weight %"), default=100, validators=[Optional()])
    feedback = StringField(_l("Feedback"), validators=[Optional(), Length(max=2000)])


class QuestionForm(FlaskForm):
    """A question of any type; only the part for the chosen type is used."""

    qtype = SelectField(_l("Type"), choices=choices(QTYPE_LABELS.items()))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=255)])
    category = StringField(
        _l("Category"),
        validators=[DataRequired(), Length(max=255)],
    )
    idnumber = StringField(_l("ID number"), validators=[Optional(), Length(max=255)])
    tags = StringField(
        _l("Tags"), validators=[Optional(), Length(max=500)], description=_l("Comma-separated.")
    )
    # Not validated as a choice: an absent or unknown value means "any" (see editing.py).
    difficulty = SelectField(
        _l("Difficulty"),
        choices=choices([("", "—"), *DIFFICULTY_LABELS.items()]),
        validate_choice=False,
    )
    text_format = SelectField(_l("Text format"), choices=choices(FORMAT_LABELS.items()))
    stem = TextAreaField(_l("Question text"), validators=[DataRequired(), Length(max=20000)])
    general_feedback = TextAreaField(
        _l("General feedback"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Shown with the review: explain the rule behind the answer."),
    )
    choices_ = FieldList(FormField(ChoiceRow), min_entries=CHOICE_ROWS, max_entries=20)
    pairs = FieldList(FormField(PairRow), min_entries=PAIR_ROWS, max_entries=20)
    answers = FieldList(FormField(AnswerRow), min_entries=ANSWER_ROWS, max_entries=20)
    case_sensitive = BooleanField(_l("Case-sensitive"))
    numbers = FieldList(FormField(NumberRow), min_entries=NUMBER_ROWS, max_entries=10)
    wrong_feedback = StringField(
        _l("Feedback for any other number"), validators=[Optional(), Length(max=2000)]
    )
    correct = SelectField(
        _l("The statement is"), choices=choices([("true", _l("True")), ("false", _l("False"))])
    )
    feedback_true = StringField(
        _l("Feedback for “true”"), validators=[Optional(), Length(max=2000)]
    )
    feedback_false = StringField(
        _l("Feedback for “false”"), validators=[Optional(), Length(max=2000)]
    )


class RuleRow(Form):
    """A random draw rule."""

    count = IntegerField(_l("Questions"), validators=[Optional(), NumberRange(min=0, max=200)])
    category = StringField(_l("From category"), validators=[Optional(), Length(max=255)])
    tag = StringField(_l("With tag"), validators=[Optional(), Length(max=50)])
    # Not validated as a choice: an absent or unknown value means "any" (see editing.py).
    difficulty = SelectField(
        _l("Difficulty"),
        choices=choices([("", "—"), *DIFFICULTY_LABELS.items()]),
        validate_choice=False,
    )


class QuizForm(FlaskForm):
    """A quiz's settings and draw rules."""

    slug = StringField(_l("Slug"), validators=[DataRequired(), Length(max=80)])
    title_zh = StringField(_l("Title (Chinese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    description_zh = TextAreaField(
        _l("Description (Chinese)"), validators=[Optional(), Length(max=4000)]
    )
    description_en = TextAreaField(
        _l("Description (English)"), validators=[Optional(), Length(max=4000)]
    )
    course_slug = StringField(_l("Linked course (slug)"), validators=[Optional(), Length(max=80)])
    rules = FieldList(FormField(RuleRow), min_entries=RULE_ROWS, max_entries=RULE_ROWS)
    fixed_questions = TextAreaField(
        _l("Fixed questions"),
        validators=[Optional(), Length(max=4000)],
        description=_l("Question ids or ID numbers, one per line; asked in addition to the rules."),
    )
    shuffle_questions = BooleanField(_l("Shuffle questions"), default=True)
    shuffle_options = BooleanField(_l("Shuffle options"), default=True)
    time_limit_minutes = IntegerField(
        _l("Time limit (minutes)"),
        validators=[Optional(), NumberRange(min=1, max=600)],
        description=_l("Empty: no time limit."),
    )
    attempts_allowed = IntegerField(
        _l("Attempts allowed"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=100)],
        description=_l("0: unlimited. Counted afresh once a pass has expired."),
    )
    wait_minutes = IntegerField(
        _l("Wait between attempts (minutes)"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=43200)],
    )
    pass_mark = FloatField(
        _l("Pass mark (%)"), default=80, validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    grading_method = SelectField(_l("Grading method"), choices=choices(GRADING_LABELS.items()))
    validity_days = IntegerField(
        _l("A pass is valid for (days)"),
        validators=[Optional(), NumberRange(min=1, max=3650)],
        description=_l("Empty: a pass never expires."),
    )
    review_policy = SelectField(_l("Review"), choices=choices(REVIEW_LABELS.items()))
    opens_at = DateTimeLocalField(_l("Opens at"), validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes at"), validators=[Optional()])
    published = BooleanField(_l("Published"), default=True)


class ImportForm(FlaskForm):
    """Upload a GIFT file."""

    file = FileField(_l("GIFT file"), validators=[FileRequired()])
    category = StringField(
        _l("Category"),
        validators=[Optional(), Length(max=255)],
        description=_l("Optional: put every question here instead of the file's $CATEGORY."),
    )
