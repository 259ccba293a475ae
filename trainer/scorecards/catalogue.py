"""The KPI catalogue and incentive formula: loaded from kpis.yaml or the admin's saved copy."""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trainer.core import configdocs
from trainer.core.configdocs import ConfigSource, load_config_yaml
from trainer.core.i18n import _, pick
from trainer.core.problems import Problem, ProblemsError
from trainer.core.yamlsafe import Document

SHIPPED = Path(__file__).resolve().parent / "kpis.yaml"
CONFIG_NAME = "kpis"

# KPI key → (scope, KpiRecord/TeamKpiRecord column). The data model fixes which KPIs exist;
# the catalogue decides how they are named, targeted and weighted.
KNOWN_KPIS = {
    "first_response_time": ("agent", "first_response_seconds"),
    "response_rate": ("agent", "response_rate"),
    "resolution_rate": ("agent", "resolution_rate"),
    "csat": ("agent", "csat"),
    "repeat_contact_rate": ("agent", "repeat_contact_rate"),
    "qa_score": ("agent", "qa_score"),
    "cost_saving_rate": ("team", "cost_saving_rate"),
    "churn_rate": ("team", "churn_rate"),
}
UNITS = ("seconds", "percent", "score5", "points")
UNIT_RANGES = {"seconds": (0, 86400), "percent": (0, 100), "score5": (1, 5), "points": (0, 100)}
ROLEPLAY_QA = ("off", "fallback", "blend")
MISSING_OKR = ("zero", "kpi_only")


@dataclass(frozen=True)
class KpiDefinition:
    """One KPI: how it is named, measured and scored."""

    key: str
    name: dict
    scope: str
    unit: str
    direction: str  # "higher" or "lower" is better
    target: float
    floor: float
    weight: float

    @property
    def column(self) -> str:
        return KNOWN_KPIS[self.key][1]

    @property
    def label(self) -> str:
        return pick(self.name)

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"

    def better_or_equal(self, value: float, threshold: float) -> bool:
        """Whether `value` is at least as good as `threshold` in this KPI's direction."""
        return value >= threshold if self.higher_is_better else value <= threshold


@dataclass(frozen=True)
class IncentiveFormula:
    """Weights of the incentive score and how missing OKRs and thin data count."""

    kpi_weight: float = 0.7
    okr_weight: float = 0.3
    missing_okr: str = "zero"
    min_conversations: int = 50


@dataclass(frozen=True)
class Catalogue:
    """The KPI definitions in force plus the incentive formula."""

    kpis: tuple[KpiDefinition, ...]
    incentive: IncentiveFormula
    roleplay_qa: str = "fallback"

    @property
    def agent_kpis(self) -> tuple[KpiDefinition, ...]:
        return tuple(k for k in self.kpis if k.scope == "agent")

    @property
    def team_kpis(self) -> tuple[KpiDefinition, ...]:
        return tuple(k for k in self.kpis if k.scope == "team")

    def get(self, key: str) -> KpiDefinition | None:
        return next((k for k in self.kpis if k.key == key), None)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _dotted(path: tuple) -> str:
    """A problem's key path ("kpis.2.target"): the catalogue form shows it beside that field."""
    return ".".join(str(part) for part in path)


def _check_kpi(item: Any, i: int, lines: Document, seen: set[str]) -> list[Problem]:
    problems: list[Problem] = []

    def add(field: str | None, message: str) -> None:
        path = ("kpis", i, field) if field else ("kpis", i)
        problems.append(Problem.at(lines.line(*path), message, field=_dotted(path)))

    if not isinstance(item, dict):
        add(None, _("Each KPI must be a mapping of fields."))
        return problems
    key = item.get("key")
    if key not in KNOWN_KPIS:
        known = ", ".join(KNOWN_KPIS)
        add("key", _("Unknown KPI key %(key)s; known keys: %(known)s.", key=key, known=known))
        return problems
    if key in seen:
        add("key", _("KPI %(key)s is listed twice.", key=key))
    seen.add(key)
    unknown = set(item) - {"key", "name", "scope", "unit", "direction", "target", "floor", "weight"}
    for field in sorted(unknown):
        add(field, _("Unknown field %(field)s.", field=field))
    name = item.get("name")
    if not (isinstance(name, dict) and name.get("zh_CN") and name.get("en")):
        add("name", _("A KPI needs a name in zh_CN and en."))
    if item.get("scope") != KNOWN_KPIS[key][0]:
        add("scope", _("KPI %(key)s has scope %(scope)s.", key=key, scope=KNOWN_KPIS[key][0]))
    if item.get("unit") not in UNITS:
        add("unit", _("Unit must be one of %(units)s.", units=", ".join(UNITS)))
    if item.get("direction") not in ("higher", "lower"):
        add("direction", _("Direction must be higher or lower."))
    for field in ("target", "floor", "weight"):
        if not _number(item.get(field)):
            add(field, _("%(field)s must be a number.", field=field))
    if problems:
        return problems
    if item["weight"] < 0:
        add("weight", _("Weight cannot be negative."))
    low, high = UNIT_RANGES[item["unit"]]
    for field in ("target", "floor"):
        if not low <= item[field] <= high:
            add(
                field,
                _(
                    "%(field)s must lie between %(low)s and %(high)s.",
                    field=field,
                    low=low,
                    high=high,
                ),
            )
    better = (
        item["target"] > item["floor"]
        if item["direction"] == "higher"
        else item["target"] < item["floor"]
    )
    if not better:
        add("floor", _("The floor must be worse than the target in the KPI's direction."))
    return problems


def _check_incentive(raw: Any, lines: Document) -> list[Problem]:
    problems: list[Problem] = []
    if raw is None:
        return problems
    if not isinstance(raw, dict):
        return [Problem.at(lines.line("incentive"), _("incentive must be a mapping."))]
    for field in sorted(
        set(raw) - {"kpi_weight", "okr_weight", "missing_okr", "min_conversations"}
    ):
        problems.append(
            Problem.at(
                lines.line("incentive", field),
                _("Unknown field %(field)s.", field=field),
                field=f"incentive.{field}",
            )
        )
    for field in ("kpi_weight", "okr_weight"):
        value = raw.get(field, 0.5)
        if not _number(value) or not 0 <= value <= 1:
            problems.append(
                Problem.at(
                    lines.line("incentive", field),
                    _("%(field)s must be between 0 and 1.", field=field),
                    field=f"incentive.{field}",
                )
            )
    if not problems and abs(raw.get("kpi_weight", 0.7) + raw.get("okr_weight", 0.3) - 1) > 1e-9:
        problems.append(
            Problem.at(
                lines.line("incentive"),
                _("kpi_weight and okr_weight must add up to 1."),
                field="incentive.okr_weight",
            )
        )
    if raw.get("missing_okr", "zero") not in MISSING_OKR:
        problems.append(
            Problem.at(
                lines.line("incentive", "missing_okr"),
                _("missing_okr must be zero or kpi_only."),
                field="incentive.missing_okr",
            )
        )
    minimum = raw.get("min_conversations", 0)
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 0:
        problems.append(
            Problem.at(
                lines.line("incentive", "min_conversations"),
                _("min_conversations must be a whole number, 0 or more."),
                field="incentive.min_conversations",
            )
        )
    return problems


def parse_catalogue(text: str) -> Catalogue:
    """Validate catalogue YAML; raises ProblemsError listing every problem with its line."""
    document = load_config_yaml(text)
    data, lines = document.data, document
    if not isinstance(data, dict):
        raise ProblemsError([Problem.at(1, _("The catalogue must be a mapping with a kpis list."))])
    problems: list[Problem] = []
    for key in sorted(set(data) - {"kpis", "incentive", "roleplay_qa"}):
        problems.append(Problem.at(lines.line(key), _("Unknown field %(field)s.", field=key)))
    items = data.get("kpis")
    if not isinstance(items, list) or not items:
        problems.append(Problem.at(lines.line("kpis"), _("kpis must be a non-empty list.")))
        items = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        problems.extend(_check_kpi(item, i, lines, seen))
    if data.get("roleplay_qa", "fallback") not in ROLEPLAY_QA:
        problems.append(
            Problem.at(
                lines.line("roleplay_qa"),
                _("roleplay_qa must be off, fallback or blend."),
                field="roleplay_qa",
            )
        )
    problems.extend(_check_incentive(data.get("incentive"), lines))
    if not problems and not any(i["scope"] == "agent" and i["weight"] > 0 for i in items):
        problems.append(
            Problem.at(lines.line("kpis"), _("At least one agent KPI needs a weight above 0."))
        )
    if problems:
        raise ProblemsError(problems)
    kpis = tuple(
        KpiDefinition(
            key=i["key"],
            name=dict(i["name"]),
            scope=i["scope"],
            unit=i["unit"],
            direction=i["direction"],
            target=float(i["target"]),
            floor=float(i["floor"]),
            weight=float(i["weight"]),
        )
        for i in items
    )
    incentive = IncentiveFormula(**(data.get("incentive") or {}))
    return Catalogue(
        kpis=kpis, incentive=incentive, roleplay_qa=data.get("roleplay_qa", "fallback")
    )


def shipped_catalogue() -> Catalogue:
    """The catalogue shipped in kpis.yaml."""
    return parse_catalogue(SHIPPED.read_text(encoding="utf-8"))


def current_catalogue() -> Catalogue:
    """The catalogue in force: the admin's saved copy, else the shipped file (parsed once)."""
    return configdocs.current(SOURCE)


def forget_cached_catalogue() -> None:
    """Drop the request's memo after the admin saved a new version."""
    configdocs.forget(CONFIG_NAME)


SOURCE = ConfigSource(CONFIG_NAME, SHIPPED, parse_catalogue)
