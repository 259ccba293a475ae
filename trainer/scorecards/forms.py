"""Scorecard forms: KPI upload, API tokens, config editors, OKR drafts, decisions and progress."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import FieldList, FloatField, Form, FormField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from trainer.core.i18n import _l
from trainer.scorecards.okrs import MAX_KEY_RESULTS, MAX_OBJECTIVES, KeyResultInput, ObjectiveInput


class KpiUploadForm(FlaskForm):
    """A helpdesk CSV file of daily KPI records."""

    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Choose a CSV file."))],
        description=_l(
            "UTF-8 or GB18030; columns as documented. The file imports whole or not at all."
        ),
    )


class TokenForm(FlaskForm):
    """A new API token for a helpdesk integration."""

    name = StringField(_l("Integration name"), validators=[DataRequired(), Length(max=120)])


class KeyResultForm(Form):
    """One key result row (blank rows are ignored)."""

    title = StringField(_l("Key result"), validators=[Optional(), Length(max=200)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=20)])
    start_value = FloatField(_l("Start"), validators=[Optional()], default=0)
    target = FloatField(_l("Target"), validators=[Optional()])
    weight = FloatField(
        _l("Weight"), validators=[Optional(), NumberRange(min=0.01, max=100)], default=1
    )

    @property
    def is_blank(self) -> bool:
        return not (self.title.data or "").strip() and self.target.data is None


class ObjectiveForm(Form):
    """One objective with its key result rows."""

    title = StringField(_l("Objective"), validators=[Optional(), Length(max=200)])
    key_results = FieldList(
        FormField(KeyResultForm), min_entries=MAX_KEY_RESULTS, max_entries=MAX_KEY_RESULTS
    )


class OkrDraftForm(FlaskForm):
    """An agent's OKR draft: up to three objectives with up to four key results each."""

    objectives = FieldList(
        FormField(ObjectiveForm), min_entries=MAX_OBJECTIVES, max_entries=MAX_OBJECTIVES
    )

    def to_inputs(self) -> list[ObjectiveInput] | None:
        """The typed objectives; None (with field errors set) when a key result lacks a target."""
        out, ok = [], True
        for objective in self.objectives:
            results = []
            for kr in objective.key_results:
                if kr.is_blank:
                    continue
                if kr.target.data is None:
                    kr.target.errors = [*kr.target.errors, _l("A key result needs a target.")]
                    ok = False
                    continue
                results.append(
                    KeyResultInput(
                        title=kr.title.data or "",
                        target=kr.target.data,
                        start_value=kr.start_value.data or 0.0,
                        weight=kr.weight.data if kr.weight.data is not None else 1.0,
                        unit=kr.unit.data or "",
                    )
                )
            out.append(ObjectiveInput(title=objective.title.data or "", key_results=results))
        return out if ok else None


class OkrDecisionForm(FlaskForm):
    """A manager's comment when approving or returning OKRs."""

    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class ProgressForm(FlaskForm):
    """A new current value for a key result."""

    value = FloatField(
        _l("Current value"), validators=[InputRequired(message=_l("Enter a number."))]
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
