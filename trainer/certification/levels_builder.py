"""The certification level form: the ladder document ↔ the form's values, and a draft preview.

Requirements are picked from lists (courses, quizzes, the catalogue's KPIs by name), never
typed. The list kinds come from `LIST_REQUIREMENTS` (a kind a feature adds, such as drills,
slots in with its options), and requirement keys the form does not know yet are carried
through unchanged, so values → document → values stays lossless. `parse_ladder` remains the
one validator; its problems are mapped back to fields.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from flask import current_app

from trainer.certification.engine import check_level
from trainer.certification.evidence import collect_evidence
from trainer.certification.ladder import CONFIG_NAME, SOURCE, Ladder, parse_ladder
from trainer.certification.presenting import present
from trainer.core import configdocs
from trainer.core.clock import utcnow
from trainer.core.configdocs import load_config_yaml
from trainer.core.formvalues import FieldProblems, typed_number
from trainer.core.i18n import _, _l, pick
from trainer.core.problems import Problem, ProblemsError
from trainer.scorecards.catalogue import Catalogue

GENERAL = "_general"
HEADER = "# Certification levels, saved from the level form (same format as levels.yaml).\n"
SETTINGS = ("auto_grant", "kpi_window_days", "lapse_grace_days", "notice_days")
SETTING_DEFAULTS = {
    "auto_grant": False,
    "kpi_window_days": 30,
    "lapse_grace_days": 14,
    "notice_days": 14,
}
ROLEPLAY_KEYS = ("sessions", "min_difficulty", "min_score", "no_critical_in_last")
DRILL_KEYS = ("min_within_target", "max_breaches")  # beside `drill:` (the slug), as drill_<key>


def _course_options() -> list[tuple[str, str]]:
    from trainer.courses.services import published_courses

    return [(c.slug, pick(c.title)) for c in published_courses()]


def _drill_options() -> list[tuple[str, str]]:
    from trainer.drills.achievements import drill_choices

    root = str(current_app.config["CONTENT_ROOT"])
    return [(slug, pick(title) if title else slug) for slug, title in drill_choices(root)]


def _quiz_options() -> list[tuple[str, str]]:
    from trainer.quizzes.achievements import shipped_quiz_titles

    titles = shipped_quiz_titles(str(current_app.config["CONTENT_ROOT"]))
    return [(slug, pick(title)) for slug, title in titles.items()]


@dataclass(frozen=True)
class ListRequirement:
    """A requirement that names things from a list (courses, quizzes …)."""

    key: str  # the key under `requires:`
    label: Any
    options: Callable[[], list[tuple[str, str]]]


LIST_REQUIREMENTS: list[ListRequirement] = [
    ListRequirement("courses", _l("Courses to complete"), _course_options),
    ListRequirement("quizzes", _l("Quizzes to pass"), _quiz_options),
]
FORM_KEYS = {r.key for r in LIST_REQUIREMENTS} | {
    "roleplay",
    "drill",
    "kpis",
    "okr_score",
    "endorsement",
}


class LadderProblems(FieldProblems):
    """Problems to show beside the form's fields: field name → messages."""


def _text(value: Any) -> str:
    return "" if value is None else str(value)


_number = typed_number  # a number typed in a field (core.formvalues)


def options_for(document: dict) -> dict[str, list[tuple[str, str]]]:
    """Choices per list requirement: what exists, plus any slug the document names already."""
    found = {}
    for requirement in LIST_REQUIREMENTS:
        choices = dict(requirement.options())
        for level in document.get("levels") or []:
            for slug in ((level or {}).get("requires") or {}).get(requirement.key) or []:
                choices.setdefault(slug, slug)
        found[requirement.key] = list(choices.items())
    drills = dict(_drill_options())
    for level in document.get("levels") or []:
        drill = ((level or {}).get("requires") or {}).get("drill")
        if isinstance(drill, dict) and isinstance(drill.get("drill"), str):
            drills.setdefault(drill["drill"], drill["drill"])
    found["drill"] = list(drills.items())
    return found


def document_in_force() -> dict:
    """The ladder document in force (the admin's copy, else levels.yaml) as data."""
    text, _override = configdocs.effective_text(CONFIG_NAME, SOURCE.shipped)
    return load_config_yaml(text).data


def _kpi_values(rule: dict | None, prefix: str, kpi_keys: list[str]) -> dict:
    rule = rule or {}
    values = {f"{prefix}min_conversations": _text(rule.get("min_conversations"))}
    thresholds = rule.get("thresholds") or {}
    for key in kpi_keys:
        values[f"{prefix}{key}"] = _text(thresholds.get(key))
    return values


def form_values(document: dict, kpi_keys: list[str]) -> dict:
    """The form's values for a ladder document."""
    settings = {**SETTING_DEFAULTS, **(document.get("settings") or {})}
    levels = []
    for level in document.get("levels") or []:
        requires = level.get("requires") or {}
        roleplay = requires.get("roleplay") or {}
        drill = requires.get("drill") if isinstance(requires.get("drill"), dict) else {}
        row = {
            "code": level.get("code", ""),
            "name_zh": (level.get("name") or {}).get("zh_CN", ""),
            "name_en": (level.get("name") or {}).get("en", ""),
            "multiplier": _text(level.get("multiplier")),
            **{r.key: list(requires.get(r.key) or []) for r in LIST_REQUIREMENTS},
            **{f"rp_{key}": _text(roleplay.get(key)) for key in ROLEPLAY_KEYS},
            "drill": _text(drill.get("drill")),
            **{f"drill_{key}": _text(drill.get(key)) for key in DRILL_KEYS},
            **_kpi_values(requires.get("kpis"), "kpi_", kpi_keys),
            "okr_score": _text(requires.get("okr_score")),
            "endorsement": bool(requires.get("endorsement", False)),
            **_kpi_values((level.get("keep") or {}).get("kpis"), "keep_", kpi_keys),
            "extra": yaml.safe_dump(
                {k: v for k, v in requires.items() if k not in FORM_KEYS}, allow_unicode=True
            )
            if set(requires) - FORM_KEYS
            else "",
        }
        levels.append(row)
    return {
        "levels": levels,
        "auto_grant": bool(settings["auto_grant"]),
        **{key: _text(settings[key]) for key in SETTINGS if key != "auto_grant"},
    }


def _kpi_rule(row: dict, prefix: str, kpi_keys: list[str]) -> dict | None:
    rule: dict[str, Any] = {}
    minimum = _number(row.get(f"{prefix}min_conversations"))
    if minimum is not None:
        rule["min_conversations"] = minimum
    thresholds = {
        key: value for key in kpi_keys if (value := _number(row.get(f"{prefix}{key}"))) is not None
    }
    if thresholds:
        rule["thresholds"] = thresholds
    return rule or None


def _drill_rule(row: dict) -> dict | None:
    """`{drill, min_within_target, max_breaches}` for a row; a share or a maximum without a
    drill is kept (slug "") so that the ladder's validator reports it beside the drill field."""
    rule: dict[str, Any] = {"drill": _text(row.get("drill")).strip()}
    for key in DRILL_KEYS:
        if (value := _number(row.get(f"drill_{key}"))) is not None:
            rule[key] = value
    return rule if rule["drill"] or len(rule) > 1 else None


def document_from_values(values: dict, kpi_keys: list[str]) -> dict:
    """The ladder document for the form's values (not yet validated)."""
    levels = []
    for row in values.get("levels") or []:
        requires: dict[str, Any] = {}
        for requirement in LIST_REQUIREMENTS:
            if row.get(requirement.key):
                requires[requirement.key] = list(row[requirement.key])
        roleplay = {
            key: value
            for key in ROLEPLAY_KEYS
            if (value := _number(row.get(f"rp_{key}"))) is not None
        }
        if roleplay:
            requires["roleplay"] = roleplay
        if drill := _drill_rule(row):
            requires["drill"] = drill
        if kpis := _kpi_rule(row, "kpi_", kpi_keys):
            requires["kpis"] = kpis
        if (okr := _number(row.get("okr_score"))) is not None:
            requires["okr_score"] = okr
        if row.get("endorsement"):
            requires["endorsement"] = True
        extra = yaml.safe_load(row.get("extra") or "") if row.get("extra") else None
        if isinstance(extra, dict):
            requires.update({k: v for k, v in extra.items() if k not in FORM_KEYS})
        level: dict[str, Any] = {
            "code": _text(row.get("code")).strip(),
            "name": {
                "zh_CN": _text(row.get("name_zh")).strip(),
                "en": _text(row.get("name_en")).strip(),
            },
        }
        if (multiplier := _number(row.get("multiplier"))) is not None:
            level["multiplier"] = multiplier
        if requires:
            level["requires"] = requires
        if keep := _kpi_rule(row, "keep_", kpi_keys):
            level["keep"] = {"kpis": keep}
        levels.append(level)
    settings: dict[str, Any] = {"auto_grant": bool(values.get("auto_grant"))}
    for key in SETTINGS[1:]:
        if (value := _number(values.get(key))) is not None:
            settings[key] = value
    return {"settings": settings, "levels": levels}


def dump_document(document: dict) -> str:
    """YAML text of a ladder document, in levels.yaml's key order."""
    return HEADER + yaml.safe_dump(
        document, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100
    )


_REQUIRES_FIELDS = {"okr_score": "okr_score", "endorsement": "endorsement"}


def _kpi_field(prefix: str, rest: list[str]) -> str:
    if rest[:1] == ["thresholds"] and len(rest) > 1:
        return f"{prefix}{rest[1]}"
    return f"{prefix}min_conversations"


def field_of(key: str | None) -> str:
    """The form field a ladder problem belongs beside ("levels.2.requires.kpis.thresholds.csat"
    → "levels-2-kpi_csat")."""
    parts = (key or "").split(".") if key else []
    if parts[:1] == ["settings"] and len(parts) > 1:
        return parts[1]
    if parts[:1] != ["levels"] or len(parts) < 3 or not parts[1].isdigit():
        return GENERAL
    row, rest = f"levels-{parts[1]}", parts[2:]
    head = rest[0]
    if head == "name":
        return f"{row}-name_zh"
    if head in ("code", "multiplier"):
        return f"{row}-{head}"
    if head == "keep":
        return f"{row}-{_kpi_field('keep_', rest[2:])}"
    if head != "requires" or len(rest) < 2:
        return GENERAL
    kind = rest[1]
    if kind == "roleplay":
        return f"{row}-rp_{rest[2] if len(rest) > 2 else 'sessions'}"
    if kind == "kpis":
        return f"{row}-{_kpi_field('kpi_', rest[2:])}"
    if kind == "drill":
        known = len(rest) > 2 and rest[2] in DRILL_KEYS
        return f"{row}-drill_{rest[2]}" if known else f"{row}-drill"
    if kind in _REQUIRES_FIELDS or kind in {r.key for r in LIST_REQUIREMENTS}:
        return f"{row}-{kind}"
    return f"{row}-extra"


def ladder_from_values(values: dict, catalogue: Catalogue) -> tuple[Ladder, str]:
    """Validate the form's values as a ladder: (ladder, YAML). Raises LadderProblems."""
    kpi_keys = [k.key for k in catalogue.agent_kpis]
    document = document_from_values(values, kpi_keys)
    found = _drill_problems(document)
    try:
        text = dump_document(document)
        ladder = parse_ladder(text, catalogue)
        if found:
            raise ProblemsError(found)
        return ladder, text
    except (ProblemsError, yaml.YAMLError) as error:
        problems: dict[str, list[str]] = {}
        extra = found if getattr(error, "problems", None) is not found else []
        for problem in [*getattr(error, "problems", []), *extra]:
            problems.setdefault(field_of(problem.field), []).append(problem.message)
        raise LadderProblems(problems or {GENERAL: [str(error)]}) from error


def _drill_problems(document: dict) -> list[Problem]:
    """A drill requirement names a drill that exists (stored or shipped): the problems,
    keyed like the ladder's own."""
    known = {slug for slug, _title in _drill_options()}
    found = []
    for i, level in enumerate(document.get("levels") or []):
        rule = (level.get("requires") or {}).get("drill")
        if not isinstance(rule, dict):
            continue
        slug = rule.get("drill")
        if not slug:
            message = _("Choose the drill this requirement is about.")
        elif slug not in known:
            message = _("There is no drill %(slug)s.", slug=slug)
        else:
            continue
        found.append(Problem.at(0, message, field=f"levels.{i}.requires.drill"))
    return found


def save_from_values(values: dict, catalogue: Catalogue, *, actor) -> None:
    """Store the form's ladder as the one in force (validated; audited). Raises LadderProblems."""
    _ladder, text = ladder_from_values(values, catalogue)
    configdocs.save_override(CONFIG_NAME, text, validate=parse_ladder, actor=actor)


def preview_level(values: dict, catalogue: Catalogue, agent, code: str) -> tuple[Any, list]:
    """Evaluate `agent` against level `code` of the draft (nothing is saved): (level, the
    requirements met and missing, presented). Raises LadderProblems for an invalid draft."""
    ladder, _yaml = ladder_from_values(values, catalogue)
    level = ladder.level(code) or ladder.above(None)
    if level is None:
        raise LadderProblems({GENERAL: [_("The draft has no level to evaluate against.")]})
    now = utcnow()
    evidence = collect_evidence([agent], ladder, now)[agent.id]
    return level, present(check_level(level, evidence, ladder, now))


def apply_level_op(values: dict, op: str) -> dict:
    """ "add" puts a new level at the top; "remove:<index>" takes one out (never the first,
    where everyone starts); anything else changes nothing."""
    levels = values.setdefault("levels", [])
    verb, _sep, target = op.partition(":")
    if verb == "add":
        levels.append({"code": f"L{len(levels)}", "multiplier": "1.0"})
    elif verb == "remove" and target.isdigit() and 0 < int(target) < len(levels):
        levels.pop(int(target))
    return values
