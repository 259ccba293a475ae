"""The policy file: parse and validate its YAML (line-numbered problems), compile its rules."""

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from trainer.core.i18n import _, message_locale
from trainer.core.problems import Problem, ProblemsError
from trainer.roleplay import yamltext
from trainer.roleplay.schema import LESSON_RE, Checker, spec_problem
from trainer.roleplay.textfold import Folder

PLATFORM_IDS = (
    "sensitive_data",
    "off_platform",
    "review_incentive",
    "absolute_claim",
    "privacy_disclosure",
    "forbidden_promise",
    "abuse",
)
SEVERITIES = ("critical", "major")
TOP_KEYS = ("aliases", "sound_alike", "rules")
RULE_KEYS = (
    "id",
    "title",
    "wording",
    "severity",
    "lesson",
    "quoted_ok",
    "phrases",
    "patterns",
    "unless",
)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
# A negation written into a pattern belongs to the breach itself (概不退换, 别投诉…补偿).
_OWN_NEGATION = re.compile(r"不|没|别|勿|禁|拒")


class PolicyError(ProblemsError):
    """Policy YAML with problems; `problems` are line-numbered Problems."""


@dataclass(frozen=True)
class Matcher:
    """One compiled pattern (or literal phrase) of a rule, matched against folded clauses."""

    regex: re.Pattern
    own_negation: bool


@dataclass(frozen=True)
class Rule:
    """One compliance rule: its id, texts, severity, lesson and matchers."""

    id: str
    title: dict[str, str]
    wording: dict[str, str]
    severity: str
    lesson: str = ""
    quoted_ok: bool = False
    matchers: tuple[Matcher, ...] = ()
    unless: re.Pattern | None = None
    platform: bool = True
    screen: re.Pattern | None = None  # all matchers in one regex: a quick "no match at all"


@dataclass(frozen=True)
class Policy:
    """A compiled policy: the rules in force and the folder for their evasions."""

    rules: tuple[Rule, ...]
    folder: Folder = field(repr=False)
    data: dict[str, Any] = field(repr=False, default_factory=dict)
    version: int | None = None
    text: str = field(repr=False, default="")

    def rule(self, rule_id: str) -> Rule | None:
        """The rule with this id, if any."""
        return next((r for r in self.rules if r.id == rule_id), None)


def _regex(c: Checker, raw: Any, path: tuple) -> str | None:
    if not isinstance(raw, str) or not raw.strip():
        c.problem(path, _("must be a non-empty pattern"))
        return None
    try:
        compiled = re.compile(raw)
    except re.error as error:
        c.problem(path, _("is not a valid regular expression: %(e)s", e=error))
        return None
    if compiled.search("") is not None:
        c.problem(path, _("matches empty text; it would match every reply"))
        return None
    return raw


def _rule(c: Checker, raw: Any, path: tuple, seen: set[str]) -> dict | None:
    raw = c.mapping(raw, path, RULE_KEYS)
    if not raw:
        return None
    rule: dict[str, Any] = {"id": c.identifier(raw, "id", path, seen)}
    rule["title"] = c.bilingual(raw, "title", path)
    rule["wording"] = c.bilingual(raw, "wording", path)
    severity = raw.get("severity")
    if severity not in SEVERITIES:
        c.problem((*path, "severity"), _("must be critical or major"))
    rule["severity"] = str(severity)
    lesson = raw.get("lesson")
    if not isinstance(lesson, str) or not LESSON_RE.match(lesson):
        c.problem((*path, "lesson"), _("must be course-slug/lesson-slug"))
    rule["lesson"] = str(lesson or "")
    rule["quoted_ok"] = c.boolean(raw, "quoted_ok", path, default=False)
    rule["phrases"] = c.words(raw, "phrases", path, required=False)
    for key in ("patterns", "unless"):
        values = raw.get(key) or []
        if not isinstance(values, list):
            c.problem((*path, key), _("must be a list"))
            values = []
        rule[key] = [
            p for i, v in enumerate(values) if (p := _regex(c, v, (*path, key, i))) is not None
        ]
    if not rule["phrases"] and not rule["patterns"]:
        c.problem(path, _("needs phrases or patterns"))
    return rule


def validate(text: str) -> tuple[dict, list[Problem]]:
    """Parse policy YAML: (normalised data, line-numbered problems; empty when valid)."""
    with message_locale():
        try:
            data, lines, duplicates = yamltext.load_with_lines(text)
        except yamltext.YamlSyntaxError as error:
            message = _("not valid YAML: %(e)s", e=error.message)
            return {}, [spec_problem(error.line, "", message)]
        c = Checker(lines)
        data = c.mapping(data, (), TOP_KEYS)
        out: dict[str, Any] = {"aliases": {}, "sound_alike": [], "rules": []}
        aliases = data.get("aliases") or {}
        if not isinstance(aliases, dict):
            c.problem(("aliases",), _("must be a mapping of keys to values"))
            aliases = {}
        for word in aliases:
            out["aliases"][str(word)] = c.words(aliases, word, ("aliases",))
        out["sound_alike"] = c.words(data, "sound_alike", (), required=False)
        seen: set[str] = set()
        for index, raw in enumerate(c.items(data, "rules", (), required=True)):
            rule = _rule(c, raw, ("rules", index), seen)
            if rule is not None:
                out["rules"].append(rule)
        if "rules" in data and isinstance(data.get("rules"), list):
            missing = [rid for rid in PLATFORM_IDS if rid not in seen]
            if missing:
                c.problem(
                    ("rules",),
                    _("platform rules cannot be dropped; missing: %(ids)s", ids=", ".join(missing)),
                )
        problems = c.problems
        for line, key in duplicates:
            problems.append(spec_problem(line, key, _("%(key)s: duplicate key", key=key)))
    return out, sorted(problems, key=lambda p: p.line)


def parse(text: str) -> dict:
    """Validated policy data; raises PolicyError with line-numbered problems."""
    data, problems = validate(text)
    if problems:
        raise PolicyError(problems)
    return data


def digest(data: dict) -> str:
    """A stable fingerprint of parsed policy data."""
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def compile_rule(raw: dict, folder: Folder, *, platform: bool = True) -> Rule:
    """A Rule from validated rule data (phrases are folded and matched literally)."""
    matchers = [
        Matcher(re.compile(re.escape(folder.fold(p))), bool(_OWN_NEGATION.search(p)))
        for p in raw.get("phrases", [])
        if folder.fold(p)
    ]
    matchers += [
        Matcher(re.compile(p), bool(_OWN_NEGATION.search(p))) for p in raw.get("patterns", [])
    ]
    unless = "|".join(f"(?:{p})" for p in raw.get("unless", []))
    screen = "|".join(f"(?:{m.regex.pattern})" for m in matchers)
    return Rule(
        id=raw["id"],
        title=raw["title"],
        wording=raw.get("wording") or raw["title"],
        severity=raw["severity"],
        lesson=raw.get("lesson", ""),
        quoted_ok=bool(raw.get("quoted_ok")),
        matchers=tuple(matchers),
        unless=re.compile(unless) if unless else None,
        platform=platform,
        screen=re.compile(screen) if screen else None,
    )


def compile_policy(data: dict, *, version: int | None = None, text: str = "") -> Policy:
    """A compiled Policy from validated data."""
    folder = Folder(data.get("aliases"), data.get("sound_alike"))
    rules = tuple(compile_rule(raw, folder) for raw in data["rules"])
    return Policy(rules=rules, folder=folder, data=data, version=version, text=text)
