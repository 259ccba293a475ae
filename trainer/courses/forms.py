"""Course authoring, assignment, import and image forms."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from trainer.core.forms import choices
from trainer.core.i18n import _l
from trainer.courses.fileformat import CATEGORIES, EDITOR_BODY_MAX, LEVELS, MAX_CHECKS

CATEGORY_LABELS = {
    "foundations": _l("Service foundations"),
    "platform": _l("Platform, orders and logistics"),
    "after_sales": _l("After-sales"),
    "live_peak": _l("Live rooms and peaks"),
    "complaints": _l("Complaints"),
    "compliance": _l("Compliance"),
}
SLUG_HINT = _l("Lowercase letters, digits and hyphens; it cannot change later.")


class CourseForm(FlaskForm):
    """A course's metadata (the slug only when creating)."""

    slug = StringField(
        _l("Slug"), validators=[DataRequired(), Length(max=64)], description=SLUG_HINT
    )
    title_zh = StringField(_l("Title (Chinese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=200)])
    summary_zh = TextAreaField(
        _l("Summary (Chinese)"), validators=[DataRequired(), Length(max=1000)]
    )
    summary_en = TextAreaField(
        _l("Summary (English)"), validators=[DataRequired(), Length(max=1000)]
    )
    category = SelectField(
        _l("Category"), choices=choices([(c, CATEGORY_LABELS[c]) for c in CATEGORIES])
    )
    level = SelectField(_l("Certification level"), choices=choices([(lv, lv) for lv in LEVELS]))
    estimated_minutes = IntegerField(
        _l("Estimated minutes"), validators=[DataRequired(), NumberRange(min=1, max=1000)]
    )
    prerequisites = SelectMultipleField(
        _l("Prerequisites"),
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        render_kw={"class": "checkbox-list"},
        description=_l("Learners must complete these courses first."),
    )
    require_reading = BooleanField(
        _l("A lesson is complete only after it was read to the end"),
        default=True,
        description=_l("Learners scroll to the end of a lesson before they can mark it complete."),
    )

    def course_fields(self) -> dict:
        """The values as service keyword arguments."""
        return {
            "title": {"zh_CN": self.title_zh.data.strip(), "en": self.title_en.data.strip()},
            "summary": {"zh_CN": self.summary_zh.data.strip(), "en": self.summary_en.data.strip()},
            "category": self.category.data,
            "level": self.level.data,
            "estimated_minutes": self.estimated_minutes.data,
            "prerequisites": list(self.prerequisites.data or []),
            "require_reading": bool(self.require_reading.data),
        }


class CheckForm(FlaskForm):
    """One knowledge check; leave it all empty for no check."""

    class Meta:
        csrf = False  # part of LessonForm, which carries the token

    question = StringField(_l("Question"), validators=[Optional(), Length(max=500)])
    options = TextAreaField(
        _l("Options, one per line"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 4},
    )
    answer = IntegerField(
        _l("Number of the correct option"), validators=[Optional(), NumberRange(min=1, max=6)]
    )
    explanation = TextAreaField(
        _l("Explanation"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2}
    )

    def option_list(self) -> list[str]:
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]

    def is_empty(self) -> bool:
        return not any(
            [self.question.data, self.option_list(), self.explanation.data, self.answer.data]
        )

    def validate(self, extra_validators=None) -> bool:
        """A check is all empty (unused) or complete: question, 2-6 options, answer, explanation."""
        valid = super().validate(extra_validators)
        if self.is_empty():
            return valid
        if not (self.question.data or "").strip():
            self.question.errors.append(_l("Write the question."))
        if not 2 <= len(self.option_list()) <= 6:
            self.options.errors.append(_l("Give 2 to 6 options, one per line."))
        elif self.answer.data is None or self.answer.data > len(self.option_list()):
            self.answer.errors.append(_l("Give the number of the correct option."))
        if not (self.explanation.data or "").strip():
            self.explanation.errors.append(_l("Explain the right answer."))
        return valid and not self.errors


class LessonForm(FlaskForm):
    """A lesson: key (when new), titles, minutes, Markdown body and up to three checks."""

    slug = StringField(
        _l("Lesson key"), validators=[DataRequired(), Length(max=64)], description=SLUG_HINT
    )
    title_zh = StringField(_l("Title (Chinese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=200)])
    minutes = IntegerField(_l("Minutes"), validators=[DataRequired(), NumberRange(min=1, max=120)])
    body = TextAreaField(
        _l("Lesson text (Markdown)"),
        validators=[DataRequired(), Length(max=EDITOR_BODY_MAX)],
        render_kw={"rows": 22, "data-preview-source": "1"},
    )
    checks = FieldList(FormField(CheckForm), min_entries=MAX_CHECKS, max_entries=MAX_CHECKS)

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then each non-empty knowledge check as a whole."""
        valid = super().validate(extra_validators)
        return valid and not any(entry.form.errors for entry in self.checks)

    def lesson_fields(self) -> dict:
        """The values as service keyword arguments (answers become 0-based)."""
        checks = [
            {
                "question": entry.form.question.data.strip(),
                "options": entry.form.option_list(),
                "answer": entry.form.answer.data - 1,
                "explanation": entry.form.explanation.data.strip(),
            }
            for entry in self.checks
            if not entry.form.is_empty()
        ]
        return {
            "title": {"zh_CN": self.title_zh.data.strip(), "en": self.title_en.data.strip()},
            "minutes": self.minutes.data,
            "body": self.body.data,
            "checks": checks,
        }

    def fill_from(self, lesson) -> None:
        """Put a lesson's current content into the form (GET of the edit page)."""
        self.slug.data = lesson.slug
        self.title_zh.data = lesson.title.get("zh_CN", "")
        self.title_en.data = lesson.title.get("en", "")
        self.minutes.data = lesson.minutes
        self.body.data = lesson.body
        for entry, check in zip(self.checks, lesson.checks, strict=False):
            entry.form.question.data = check["question"]
            entry.form.options.data = "\n".join(check["options"])
            entry.form.answer.data = check["answer"] + 1
            entry.form.explanation.data = check["explanation"]


class AssignForm(FlaskForm):
    """Assign a course to one agent or a whole team, with an optional due date."""

    course_id = SelectField(_l("Course"), coerce=int)
    target = RadioField(
        _l("Assign to"),
        choices=choices([("agent", _l("One agent")), ("team", _l("A whole team"))]),
        default="agent",
    )
    agent_id = SelectField(_l("Agent"), coerce=int)
    team_id = SelectField(_l("Team"), coerce=int)
    due_date = DateField(_l("Due date"), validators=[Optional()])

    def validate_agent_id(self, field) -> None:
        if self.target.data == "agent" and not field.data:
            raise ValidationError(_l("Choose an agent."))

    def validate_team_id(self, field) -> None:
        if self.target.data == "team" and not field.data:
            raise ValidationError(_l("Choose a team."))


class ImportForm(FlaskForm):
    """A course zip (course.yaml + NN-lesson.md files + images/)."""

    archive = FileField(_l("Course zip"), validators=[FileRequired(_l("Choose a zip file."))])


class ImageForm(FlaskForm):
    """An image for the course's lessons."""

    image = FileField(
        _l("Image (PNG, JPEG, GIF or WebP, at most 2 MB)"),
        validators=[FileRequired(_l("Choose an image file."))],
    )
