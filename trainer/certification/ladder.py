"""The certification ladder in force: levels.yaml or the admin's copy, validated with lines."""

import re
from pathlib import Path
from typing import Any

from trainer.certification.requirements import (
    DrillRule,
    KpiRule,
    Ladder,
    Level,
    RoleplayRule,
    Threshold,
)
from trainer.core import configdocs
from trainer.core.configdocs import ConfigSource, load_config_yaml
from trainer.core.i18n import _, _l
from trainer.core.problems import Problem, ProblemsError
from trainer.core.yamlsafe import Document
from trainer.scorecards import catalogue as kpi_catalogue
from trainer.scorecards.catalogue import Catalogue, current_catalogue

SHIPPED = Path(__file__).resolve().parent / "levels.yaml"
CONFIG_NAME = "levels"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class _Checker:
    def __init__(self, lines: Document):
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, path: tuple, message: str) -> None:
        # The dotted key path lets the level form show the problem beside its field.
        field = ".".join(str(part) for part in path) or None
        self.problems.append(Problem.at(self.lines.line(*path), message, field=field))

    def number(
        self, value: Any, path: tuple, low: float, high: float, integer: bool = False
    ) -> float | None:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and integer and value != int(value):
            ok = False
        if not ok or not low <= value <= high:
            self.add(
                path,
                _(
                    "%(field)s must be a number from %(low)s to %(high)s.",
                    field=path[-1],
                    low=low,
                    high=high,
                ),
            )
            return None
        return value

    def unknown(self, raw: dict, allowed: set[str], path: tuple) -> None:
        for key in sorted(set(raw) - allowed):
            self.add((*path, key), _("Unknown field %(field)s.", field=key))

    def slugs(self, raw: Any, path: tuple) -> tuple[str, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list) or not all(
            isinstance(s, str) and SLUG_RE.match(s) for s in raw
        ):
            self.add(
                path,
                _(
                    "%(field)s must be a list of slugs (lowercase letters, digits, hyphens).",
                    field=path[-1],
                ),
            )
            return ()
        return tuple(raw)

    def kpi_rule(self, raw: Any, path: tuple, catalogue: Catalogue) -> KpiRule | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            self.add(path, _("kpis must be a mapping with min_conversations and thresholds."))
            return None
        self.unknown(raw, {"min_conversations", "thresholds"}, path)
        minimum = self.number(
            raw.get("min_conversations", 0),
            (*path, "min_conversations"),
            0,
            1_000_000,
            integer=True,
        )
        thresholds = []
        raw_thresholds = raw.get("thresholds") or {}
        if not isinstance(raw_thresholds, dict):
            self.add((*path, "thresholds"), _("thresholds must map KPI keys to values."))
            raw_thresholds = {}
        for key, value in raw_thresholds.items():
            kpi = catalogue.get(key)
            if kpi is None or kpi.scope != "agent":
                self.add(
                    (*path, "thresholds", key),
                    _("%(key)s is not an agent KPI of the catalogue.", key=key),
                )
                continue
            number = self.number(value, (*path, "thresholds", key), -1e9, 1e9)
            if number is not None:
                thresholds.append(Threshold(key, float(number), kpi.higher_is_better))
        return KpiRule(int(minimum or 0), tuple(thresholds))

    def roleplay_rule(self, raw: Any, path: tuple) -> RoleplayRule | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            self.add(path, _("roleplay must be a mapping."))
            return None
        self.unknown(raw, {"sessions", "min_difficulty", "min_score", "no_critical_in_last"}, path)
        sessions = self.number(raw.get("sessions", 1), (*path, "sessions"), 0, 1000, integer=True)
        difficulty = self.number(
            raw.get("min_difficulty", 1), (*path, "min_difficulty"), 1, 3, integer=True
        )
        score = self.number(raw.get("min_score", 0), (*path, "min_score"), 0, 100)
        last = self.number(
            raw.get("no_critical_in_last", 0), (*path, "no_critical_in_last"), 0, 1000, integer=True
        )
        if None in (sessions, difficulty, score, last):
            return None
        return RoleplayRule(int(sessions), int(difficulty), float(score), int(last))

    def drill_rule(self, raw: Any, path: tuple) -> DrillRule | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("drill"), str):
            self.add(path, _("drill must be a mapping with the drill's slug (drill: slug)."))
            return None
        self.unknown(raw, {"drill", "min_within_target", "max_breaches"}, path)
        share = self.number(raw.get("min_within_target", 0), (*path, "min_within_target"), 0, 100)
        breaches = self.number(
            raw.get("max_breaches", 0), (*path, "max_breaches"), 0, 1000, integer=True
        )
        if None in (share, breaches):
            return None
        return DrillRule(raw["drill"], float(share), int(breaches))


def _parse_level(c: _Checker, raw: Any, i: int, catalogue: Catalogue) -> Level | None:
    path = ("levels", i)
    if not isinstance(raw, dict):
        c.add(path, _("Each level must be a mapping."))
        return None
    c.unknown(raw, {"code", "name", "multiplier", "requires", "keep"}, path)
    code = raw.get("code")
    if not isinstance(code, str) or not re.match(r"^[A-Z][A-Z0-9]{0,7}$", code):
        c.add((*path, "code"), _("A level needs a short code such as L1."))
        code = f"?{i}"
    name = raw.get("name")
    if not (isinstance(name, dict) and name.get("zh_CN") and name.get("en")):
        c.add((*path, "name"), _("A level needs a name in zh_CN and en."))
        name = {"zh_CN": code, "en": code}
    multiplier = c.number(raw.get("multiplier", 1.0), (*path, "multiplier"), 0, 10) or 1.0
    requires = raw.get("requires") or {}
    if not isinstance(requires, dict):
        c.add((*path, "requires"), _("requires must be a mapping."))
        requires = {}
    rpath = (*path, "requires")
    c.unknown(
        requires,
        {"courses", "quizzes", "roleplay", "drill", "kpis", "okr_score", "endorsement"},
        rpath,
    )
    if i == 0 and requires:
        c.add(rpath, _("The first level is where everyone starts; it cannot have requirements."))
    okr = requires.get("okr_score")
    if okr is not None:
        okr = c.number(okr, (*rpath, "okr_score"), 0, 1)
    endorsement = requires.get("endorsement", False)
    if not isinstance(endorsement, bool):
        c.add((*rpath, "endorsement"), _("endorsement must be true or false."))
        endorsement = False
    keep = raw.get("keep") or {}
    if not isinstance(keep, dict):
        c.add((*path, "keep"), _("keep must be a mapping."))
        keep = {}
    c.unknown(keep, {"kpis"}, (*path, "keep"))
    return Level(
        code=code,
        name=dict(name),
        rank=i,
        multiplier=float(multiplier),
        courses=c.slugs(requires.get("courses"), (*rpath, "courses")),
        quizzes=c.slugs(requires.get("quizzes"), (*rpath, "quizzes")),
        roleplay=c.roleplay_rule(requires.get("roleplay"), (*rpath, "roleplay")),
        drill=c.drill_rule(requires.get("drill"), (*rpath, "drill")),
        kpis=c.kpi_rule(requires.get("kpis"), (*rpath, "kpis"), catalogue),
        okr_score=float(okr) if okr is not None else None,
        endorsement=endorsement,
        keep_kpis=c.kpi_rule(keep.get("kpis"), (*path, "keep", "kpis"), catalogue),
    )


def parse_ladder(text: str, catalogue: Catalogue | None = None) -> Ladder:
    """Validate ladder YAML against the KPI catalogue; raises ProblemsError with line numbers."""
    catalogue = catalogue or current_catalogue()
    document = load_config_yaml(text)
    data, lines = document.data, document
    c = _Checker(lines)
    if not isinstance(data, dict):
        raise ProblemsError(
            [Problem.at(1, _("The file must be a mapping with settings and levels."))]
        )
    c.unknown(data, {"settings", "levels"}, ())
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        c.add(("settings",), _("settings must be a mapping."))
        settings = {}
    c.unknown(
        settings,
        {"auto_grant", "kpi_window_days", "lapse_grace_days", "notice_days"},
        ("settings",),
    )
    if not isinstance(settings.get("auto_grant", False), bool):
        c.add(("settings", "auto_grant"), _("auto_grant must be true or false."))
    window = c.number(
        settings.get("kpi_window_days", 30), ("settings", "kpi_window_days"), 1, 365, integer=True
    )
    grace = c.number(
        settings.get("lapse_grace_days", 14), ("settings", "lapse_grace_days"), 0, 365, integer=True
    )
    notice = c.number(
        settings.get("notice_days", 14), ("settings", "notice_days"), 0, 365, integer=True
    )
    raw_levels = data.get("levels")
    if not isinstance(raw_levels, list) or len(raw_levels) < 2:
        c.add(
            ("levels",),
            _("levels must list at least two levels, the first being where everyone starts."),
        )
        raw_levels = []
    levels = [_parse_level(c, raw, i, catalogue) for i, raw in enumerate(raw_levels)]
    codes = [lv.code for lv in levels if lv]
    for i, level in enumerate(levels):
        if level and codes.count(level.code) > 1:
            c.add(("levels", i, "code"), _("Level code %(code)s is used twice.", code=level.code))
    if c.problems:
        raise ProblemsError(c.problems)
    return Ladder(
        levels=tuple(levels),
        auto_grant=bool(settings.get("auto_grant", False)),
        kpi_window_days=int(window),
        lapse_grace_days=int(grace),
        notice_days=int(notice),
    )


def current_ladder() -> Ladder:
    """The ladder in force: the admin's saved copy, else levels.yaml (parsed once per version)."""
    return configdocs.current(SOURCE)


def forget_cached_ladder() -> None:
    """Drop the request's memo after an admin saved new levels."""
    configdocs.forget(CONFIG_NAME)


SOURCE = ConfigSource(
    CONFIG_NAME,
    SHIPPED,
    parse_ladder,
    depends=(kpi_catalogue.SOURCE,),
    label=_l("Certification levels"),
)
