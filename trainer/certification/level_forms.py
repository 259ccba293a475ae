"""The certification level form, built for the KPIs, courses and quizzes that exist now."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from trainer.certification.levels_builder import DRILL_KEYS, LIST_REQUIREMENTS, ROLEPLAY_KEYS
from trainer.core.forms import choices
from trainer.core.i18n import _, _l

MAX_ROWS = 100  # rows per list a form accepts (more are dropped, never processed)
ROLEPLAY_LABELS = {
    "sessions": _l("Role-play sessions"),
    "min_difficulty": _l("At difficulty at least"),
    "min_score": _l("Scoring at least (0-100)"),
    "no_critical_in_last": _l("No critical failure in the last … sessions"),
}
DRILL_LABELS = {
    "min_within_target": _l("First replies within the drill's target at least (%)"),
    "max_breaches": _l("Compliance breaches at most"),
}
UNIT_WORDS = {
    "seconds": _l("seconds"),
    "percent": _l("percent"),
    "score5": _l("score from 1 to 5"),
    "points": _l("points from 0 to 100"),
}


def _number(label, description=None) -> StringField:
    return StringField(
        label,
        validators=[Optional(), Length(max=20)],
        description=description,
        render_kw={"inputmode": "decimal"},
    )


def _kpi_fields(prefix: str, kpis) -> dict:
    fields = {f"{prefix}min_conversations": _number(_l("Conversations at least"))}
    for kpi in kpis:
        sign = "≥" if kpi.higher_is_better else "≤"
        fields[f"{prefix}{kpi.key}"] = _number(
            kpi.label,
            description=_(
                "%(sign)s, in %(unit)s; blank: not required",
                sign=sign,
                unit=UNIT_WORDS.get(kpi.unit, kpi.unit),
            ),
        )
    return fields


def level_form_class(catalogue, options: dict[str, list[tuple[str, str]]], agents, codes):
    """The form class: one row per level with the requirement pickers, plus the preview."""
    kpis = catalogue.agent_kpis
    row_fields = {
        "code": StringField(
            _l("Level code"), validators=[Length(max=8)], description=_l("Short, e.g. L2.")
        ),
        "name_zh": StringField(_l("Name (Chinese)"), validators=[Length(max=100)]),
        "name_en": StringField(_l("Name (English)"), validators=[Length(max=100)]),
        "multiplier": _number(_l("Incentive multiplier")),
        **{
            r.key: SelectMultipleField(
                r.label,
                choices=choices(options.get(r.key, [])),
                widget=ListWidget(prefix_label=False),
                option_widget=CheckboxInput(),
                validate_choice=False,
            )
            for r in LIST_REQUIREMENTS
        },
        **{f"rp_{key}": _number(ROLEPLAY_LABELS[key]) for key in ROLEPLAY_KEYS},
        "drill": SelectField(
            _l("Peak drill to finish"),
            choices=choices([("", _l("No drill required")), *options.get("drill", [])]),
            validate_choice=False,
        ),
        **{f"drill_{key}": _number(DRILL_LABELS[key]) for key in DRILL_KEYS},
        **_kpi_fields("kpi_", kpis),
        "okr_score": _number(_l("OKR score at least (0-1)")),
        "endorsement": BooleanField(_l("A trainer's endorsement")),
        **_kpi_fields("keep_", kpis),
        "extra": HiddenField(),
    }
    LevelRow = type("LevelRow", (Form,), row_fields)  # noqa: N806

    class LevelsForm(FlaskForm):
        """The ladder: settings, levels and their requirements."""

        op = StringField()  # "save", "preview", "add" or "remove:<index>"
        levels = FieldList(FormField(LevelRow), min_entries=0, max_entries=MAX_ROWS)
        auto_grant = BooleanField(_l("Grant promotions without a manager's approval"))
        kpi_window_days = _number(_l("KPI window (days)"))
        lapse_grace_days = _number(_l("Days below a keep floor before a level lapses"))
        notice_days = _number(_l("Notice before a required quiz pass expires (days)"))
        preview_agent = SelectField(
            _l("Agent"), choices=choices((str(a.id), a.name) for a in agents), validate_choice=False
        )
        preview_level = SelectField(
            _l("Level"), choices=choices((c, c) for c in codes), validate_choice=False
        )

    return LevelsForm


def kpi_groups(form_row, catalogue) -> dict[str, list]:
    """The row's KPI fields for the template: required, and kept (to keep the level)."""
    return {
        prefix: [form_row[f"{prefix}{kpi.key}"] for kpi in catalogue.agent_kpis]
        for prefix in ("kpi_", "keep_")
    }


def attach_problems(form, problems: dict[str, list[str]]) -> list[str]:
    """Put each problem beside its field; return those that belong to no single field."""
    fields = {f.name: f for f in form if f.type != "FieldList"}
    for row in form.levels:
        fields.update({f.name: f for f in row.form})
    general = []
    for name, messages in problems.items():
        if name in fields and fields[name].type != "HiddenField":
            fields[name].errors = list(fields[name].errors or []) + messages
        else:
            general.extend(messages)
    return general
