"""The scenario schema's vocabulary and the checker that normalises parsed YAML.

`Checker` collects every problem (with the line it came from) instead of stopping at the first,
so an author sees all of them at once; scenarios.py walks the sections with it.
"""

import re
from typing import Any

from trainer.core.i18n import _
from trainer.core.problems import Problem
from trainer.roleplay import yamltext

CATEGORIES = (
    "pre_sale",
    "order",
    "logistics",
    "after_sales",
    "payment_dispute",
    "live_flash_sale",
    "promotion_peak",
    "fraud_compliance",
    "complaint_escalation",
)
SCALES = ("pass_fail", 3, 4, 5)
RULE_TYPES = (
    "first_response_within",
    "response_within",
    "required_phrases",
    "forbidden_phrases",
    "forbidden_lexicon",
    "regex",
    "hidden_fact_uncovered",
)
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
LESSON_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TEXT = 4000
TOP_KEYS = (
    "slug",
    "title",
    "summary",
    "category",
    "difficulty",
    "persona",
    "situation",
    "hidden_facts",
    "opening",
    "mood",
    "end",
    "goal",
    "policy",
    "script",
    "rubric",
    "coaching",
    "examples",
)

Path = tuple[str | int, ...]


def spec_problem(line: int, key: str, message: str) -> Problem:
    """A problem at `line` of the YAML, beside key path `key` (which picks its form field)."""
    return Problem.at(line, message, field=key or None)


class Checker:
    """Collects problems while normalising a parsed scenario."""

    def __init__(self, lines: dict[Path, int]) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    def problem(self, path: Path, message: str) -> None:
        label = ".".join(str(p) for p in path) or "(top)"
        line = yamltext.line_of(self.lines, path)
        self.problems.append(spec_problem(line, label, f"{label}: {message}"))

    def mapping(self, value: Any, path: Path, allowed: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            self.problem(path, _("must be a mapping of keys to values"))
            return {}
        for key in value:
            if key not in allowed:
                self.problem(
                    (*path, key),
                    _("unknown key; allowed: %(keys)s", keys=", ".join(allowed)),
                )
        return value

    def text(self, parent: dict, key: str, path: Path, *, required: bool = True) -> str:
        value = parent.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem((*path, key), _("is required"))
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.problem((*path, key), _("must be text"))
            return ""
        if len(value) > MAX_TEXT:
            self.problem((*path, key), _("is too long (at most %(n)d characters)", n=MAX_TEXT))
        return value.strip() if "\n" not in value.strip() else value.rstrip() + "\n"

    def bilingual(self, parent: dict, key: str, path: Path) -> dict[str, str]:
        value = parent.get(key)
        if not isinstance(value, dict):
            self.problem((*path, key), _("needs zh_CN and en texts"))
            return {"zh_CN": "", "en": ""}
        self.mapping(value, (*path, key), ("zh_CN", "en"))
        return {
            "zh_CN": self.text(value, "zh_CN", (*path, key)),
            "en": self.text(value, "en", (*path, key)),
        }

    def integer(
        self, parent: dict, key: str, path: Path, low: int, high: int, default: int | None = None
    ) -> int:
        value = parent.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            if value is None:
                self.problem((*path, key), _("is required"))
            else:
                self.problem((*path, key), _("must be a whole number"))
            return default if default is not None else low
        if not low <= value <= high:
            self.problem(
                (*path, key), _("must be between %(low)d and %(high)d", low=low, high=high)
            )
        return value

    def number(self, parent: dict, key: str, path: Path, default: float | None = None) -> float:
        value = parent.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(
                (*path, key), _("must be a number") if value is not None else _("is required")
            )
            return default or 1
        if value <= 0:
            self.problem((*path, key), _("must be greater than 0"))
        return value

    def boolean(self, parent: dict, key: str, path: Path, default: bool = False) -> bool:
        value = parent.get(key, default)
        if not isinstance(value, bool):
            self.problem((*path, key), _("must be true or false"))
            return default
        return value

    def words(self, parent: dict, key: str, path: Path, *, required: bool = True) -> list[str]:
        value = parent.get(key)
        if value is None:
            if required:
                self.problem((*path, key), _("is required"))
            return []
        if not isinstance(value, list) or not value:
            self.problem((*path, key), _("must be a non-empty list of phrases"))
            return []
        words = []
        for index, word in enumerate(value):
            if isinstance(word, int | float) and not isinstance(word, bool):
                word = str(word)
            if not isinstance(word, str) or not word.strip():
                self.problem((*path, key, index), _("must be a non-empty phrase"))
                continue
            words.append(word.strip())
        return words

    def items(self, parent: dict, key: str, path: Path, *, required: bool = False) -> list:
        value = parent.get(key)
        if value is None:
            if required:
                self.problem((*path, key), _("is required"))
            return []
        if not isinstance(value, list):
            self.problem((*path, key), _("must be a list"))
            return []
        if required and not value:
            self.problem((*path, key), _("must not be empty"))
        return value

    def identifier(self, parent: dict, key: str, path: Path, seen: set[str]) -> str:
        value = parent.get(key)
        if not isinstance(value, str) or not ID_RE.match(value):
            self.problem(
                (*path, key), _("must be an id in lowercase letters, digits and underscores")
            )
            return str(value)
        if value in seen:
            self.problem((*path, key), _("duplicate id %(id)s", id=value))
        seen.add(value)
        return value

    def condition(self, parent: dict, key: str, path: Path, *, required: bool = True) -> dict:
        value = parent.get(key)
        where = (*path, key)
        if value is None:
            if required:
                self.problem(where, _("is required"))
            return {}
        value = self.mapping(value, where, ("any", "all", "slow_reply_seconds"))
        if not value:
            self.problem(where, _("needs any, all or slow_reply_seconds"))
            return {}
        cond: dict[str, Any] = {}
        for name in ("any", "all"):
            if name in value:
                cond[name] = self.words(value, name, where)
        if "slow_reply_seconds" in value:
            cond["slow_reply_seconds"] = self.number(value, "slow_reply_seconds", where)
        return cond
