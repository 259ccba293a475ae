"""The KPI catalogue form: the catalogue document ↔ the form's values, saved as YAML.

The form writes the same YAML document the editor saves (configdocs keeps it as the override in
force, audited); `parse_catalogue` stays the one validator and its problems are mapped back to
the fields they concern. Values → document → values is lossless (tested with the shipped file).
"""

from typing import Any

import yaml

from trainer.core import configdocs
from trainer.core.configdocs import load_config_yaml
from trainer.core.formvalues import FieldProblems, typed_number
from trainer.core.problems import ProblemsError
from trainer.scorecards.catalogue import CONFIG_NAME, KNOWN_KPIS, SOURCE, parse_catalogue

GENERAL = "_general"
INCENTIVE_KEYS = ("kpi_weight", "okr_weight", "missing_okr", "min_conversations")
INCENTIVE_DEFAULTS = {
    "kpi_weight": 0.7,
    "okr_weight": 0.3,
    "missing_okr": "zero",
    "min_conversations": 50,
}
NEW_KPI = {"unit": "percent", "direction": "higher", "weight": "0"}
HEADER = "# KPI catalogue, saved from the catalogue form (same format as kpis.yaml).\n"


class CatalogueProblems(FieldProblems):
    """Problems to show beside the form's fields: field name → messages."""


def _text(value: Any) -> str:
    return "" if value is None else str(value)


_number = typed_number  # a number typed in a field (core.formvalues)


def document_in_force() -> dict:
    """The catalogue document in force (the admin's copy, else the shipped file) as data."""
    text, _override = configdocs.effective_text(CONFIG_NAME, SOURCE.shipped)
    return load_config_yaml(text).data


def form_values(document: dict) -> dict:
    """The form's values for a catalogue document."""
    incentive = {**INCENTIVE_DEFAULTS, **(document.get("incentive") or {})}
    return {
        "kpis": [
            {
                "key": kpi["key"],
                "name_zh": kpi["name"]["zh_CN"],
                "name_en": kpi["name"]["en"],
                "unit": kpi["unit"],
                "direction": kpi["direction"],
                "target": _text(kpi["target"]),
                "floor": _text(kpi["floor"]),
                "weight": _text(kpi["weight"]),
            }
            for kpi in document["kpis"]
        ],
        "roleplay_qa": document.get("roleplay_qa", "fallback"),
        **{key: _text(incentive[key]) for key in INCENTIVE_KEYS if key != "missing_okr"},
        "missing_okr": incentive["missing_okr"],
    }


def document_from_values(values: dict) -> dict:
    """The catalogue document for the form's values (not yet validated)."""
    kpis = []
    for row in values.get("kpis") or []:
        key = row.get("key")
        kpis.append(
            {
                "key": key,
                "name": {
                    "zh_CN": _text(row.get("name_zh")).strip(),
                    "en": _text(row.get("name_en")).strip(),
                },
                "scope": KNOWN_KPIS.get(key, ("agent", ""))[0],
                "unit": row.get("unit"),
                "direction": row.get("direction"),
                "target": _number(row.get("target")),
                "floor": _number(row.get("floor")),
                "weight": _number(row.get("weight")),
            }
        )
    incentive = {key: _number(values.get(key)) for key in INCENTIVE_KEYS if key != "missing_okr"}
    incentive["missing_okr"] = values.get("missing_okr")
    return {
        "kpis": kpis,
        "roleplay_qa": values.get("roleplay_qa"),
        "incentive": {key: incentive[key] for key in INCENTIVE_KEYS},
    }


def dump_document(document: dict) -> str:
    """YAML text of a catalogue document, in the shipped file's key order."""
    return HEADER + yaml.safe_dump(
        document, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100
    )


def field_of(key: str | None) -> str:
    """The form field a catalogue problem belongs beside ("kpis.2.target" → "kpis-2-target")."""
    parts = (key or "").split(".") if key else []
    if parts[:1] == ["kpis"] and len(parts) > 1:
        field = parts[2] if len(parts) > 2 else "key"
        field = {"name": "name_zh", "scope": "key"}.get(field, field)
        return f"kpis-{parts[1]}-{field}"
    if parts[:1] == ["incentive"]:
        return parts[1] if len(parts) > 1 else "kpi_weight"
    return parts[0] if parts and parts[0] != "kpis" else GENERAL


def save_from_values(values: dict, *, actor) -> str:
    """Validate the form's values as a catalogue and store it as the one in force; returns the
    YAML saved. Raises CatalogueProblems (field → messages); nothing is stored then."""
    text = dump_document(document_from_values(values))
    try:
        configdocs.save_override(CONFIG_NAME, text, validate=parse_catalogue, actor=actor)
    except ProblemsError as error:
        problems: dict[str, list[str]] = {}
        for problem in error.problems:
            problems.setdefault(field_of(problem.field), []).append(problem.message)
        raise CatalogueProblems(problems) from error
    return text


def unused_keys(values: dict) -> list[str]:
    """Known KPIs the catalogue does not list (yet): what "add a KPI" offers."""
    listed = {row.get("key") for row in values.get("kpis") or []}
    return [key for key in KNOWN_KPIS if key not in listed]


def _new_row(key: str) -> dict:
    """A KPI to add, starting from the shipped file's definition when it has one."""
    shipped = load_config_yaml(SOURCE.shipped.read_text(encoding="utf-8")).data
    for kpi in shipped.get("kpis") or []:
        if kpi.get("key") == key:
            return form_values({"kpis": [kpi]})["kpis"][0]
    return {**NEW_KPI, "key": key}


def apply_row_op(values: dict, op: str) -> dict:
    """ "add:<key>" lists a known KPI; "retire:<index>" takes one out; anything else is ignored."""
    verb, _, target = op.partition(":")
    rows = values.setdefault("kpis", [])
    if verb == "add" and target in unused_keys(values):
        rows.append(_new_row(target))
    elif verb == "retire" and target.isdigit() and int(target) < len(rows):
        rows.pop(int(target))
    return values
