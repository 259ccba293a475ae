"""The KPI catalogue form: one row per KPI plus the incentive formula."""

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional

from trainer.core.forms import choices
from trainer.core.i18n import _l

MAX_ROWS = 100  # rows per list a form accepts (more are dropped, never processed)
UNIT_LABELS = {
    "seconds": _l("seconds"),
    "percent": _l("percent"),
    "score5": _l("score from 1 to 5"),
    "points": _l("points from 0 to 100"),
}
DIRECTION_LABELS = {"higher": _l("higher is better"), "lower": _l("lower is better")}
SCOPE_LABELS = {
    "agent": _l("each agent's daily records"),
    "team": _l("each team's records"),
}
ROLEPLAY_QA_LABELS = {
    "off": _l("helpdesk QA score only"),
    "fallback": _l("role-play average when the helpdesk sent none"),
    "blend": _l("average of helpdesk and role-play"),
}
MISSING_OKR_LABELS = {
    "zero": _l("counts as 0"),
    "kpi_only": _l("use the KPI part alone"),
}


def _number(label, **kwargs) -> StringField:
    return StringField(
        label,
        validators=[Optional(), Length(max=20)],
        render_kw={"inputmode": "decimal"},
        **kwargs,
    )


class KpiRow(Form):
    """One KPI of the catalogue; its key (the column it reads) is fixed."""

    key = HiddenField()
    name_zh = StringField(_l("Name (Chinese)"), validators=[Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=100)])
    unit = SelectField(_l("Unit"), choices=choices(UNIT_LABELS.items()))
    direction = SelectField(_l("Direction"), choices=choices(DIRECTION_LABELS.items()))
    target = _number(_l("Target"), description=_l("100 points at or beyond it."))
    floor = _number(_l("Floor"), description=_l("0 points at or beyond it."))
    weight = _number(_l("Weight"))


class CatalogueForm(FlaskForm):
    """The KPI catalogue: KPIs (added, edited, retired) and the incentive formula."""

    op = StringField()  # "save", "add:<key>" or "retire:<index>"
    kpis = FieldList(FormField(KpiRow), min_entries=0, max_entries=MAX_ROWS)
    roleplay_qa = SelectField(
        _l("Role-play grades in the QA score"), choices=choices(ROLEPLAY_QA_LABELS.items())
    )
    kpi_weight = _number(_l("KPI share of the incentive (0-1)"))
    okr_weight = _number(_l("OKR share of the incentive (0-1)"))
    missing_okr = SelectField(
        _l("Without approved OKRs the OKR part"), choices=choices(MISSING_OKR_LABELS.items())
    )
    min_conversations = _number(_l("Conversations needed for an incentive score"))


def attach_problems(form: CatalogueForm, problems: dict[str, list[str]]) -> list[str]:
    """Put each problem beside its field; return those that belong to no single field."""
    fields = {f.name: f for f in form if f.type != "FieldList"}
    for row in form.kpis:
        fields.update({f.name: f for f in row.form})
    general = []
    for name, messages in problems.items():
        if name in fields:
            fields[name].errors = list(fields[name].errors or []) + messages
        else:
            general.extend(messages)
    return general
