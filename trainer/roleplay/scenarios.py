"""The scenario schema: parse YAML, validate with line numbers, normalise, dump back.

A validated spec is a plain dict with every default filled in; it is what the database stores,
what the engines run and what the graders read (see docs/scenario-format.md).
"""

import hashlib
import json
import re
from typing import Any

from trainer.core.i18n import _, message_locale
from trainer.core.problems import Problem, ProblemsError
from trainer.roleplay import yamltext
from trainer.roleplay.customerspec import end_section, goal_section, mood_section, script_section
from trainer.roleplay.rubric_format import JUDGED_KEYS, judged_extras
from trainer.roleplay.schema import (
    CATEGORIES,
    LESSON_RE,
    RULE_TYPES,
    SCALES,
    SLUG_RE,
    TOP_KEYS,
    Checker,
    Path,
    spec_problem,
)

__all__ = ["CATEGORIES", "SLUG_RE", "ScenarioError", "normalise", "parse_scenario"]


class ScenarioError(ProblemsError):
    """The scenario text is not valid; `problems` (line-numbered) say where and why."""


def scale_bounds(scale: str | int) -> tuple[int, int]:
    """(min, max) points of a rubric scale: pass/fail is 0-1, an N-point scale 1-N."""
    return (0, 1) if scale == "pass_fail" else (1, int(scale))


def _persona(c: Checker, data: dict) -> dict:
    raw = c.mapping(data.get("persona"), ("persona",), ("name", "temperament", "patience", "style"))
    return {
        "name": c.text(raw, "name", ("persona",)),
        "temperament": c.text(raw, "temperament", ("persona",)),
        "patience": c.integer(raw, "patience", ("persona",), 1, 5, default=3),
        "style": c.text(raw, "style", ("persona",), required=False),
    }


def _hidden_facts(c: Checker, data: dict) -> list[dict]:
    facts, seen = [], set()
    for index, raw in enumerate(c.items(data, "hidden_facts", ())):
        path = ("hidden_facts", index)
        raw = c.mapping(raw, path, ("id", "fact", "ask_keywords", "reveal"))
        facts.append(
            {
                "id": c.identifier(raw, "id", path, seen),
                "fact": c.text(raw, "fact", path),
                "ask_keywords": c.words(raw, "ask_keywords", path),
                "reveal": c.text(raw, "reveal", path),
            }
        )
    return facts


def _check(c: Checker, raw: dict, path: Path, fact_ids: set[str]) -> dict:
    from trainer.roleplay.rules import lexicon_names

    raw = c.mapping(
        raw, path, ("type", "seconds", "phrases", "min", "lexicon", "pattern", "must_match", "fact")
    )
    kind = raw.get("type")
    if kind not in RULE_TYPES:
        c.problem((*path, "type"), _("must be one of %(types)s", types=", ".join(RULE_TYPES)))
        return {"type": str(kind)}
    check: dict[str, Any] = {"type": kind}
    if kind in ("first_response_within", "response_within"):
        check["seconds"] = c.number(raw, "seconds", path)
    elif kind in ("required_phrases", "forbidden_phrases"):
        check["phrases"] = c.words(raw, "phrases", path)
        if kind == "required_phrases":
            check["min"] = c.integer(raw, "min", path, 1, max(1, len(check["phrases"])), default=1)
    elif kind == "forbidden_lexicon":
        names = c.words(raw, "lexicon", path)
        known = lexicon_names()
        for index, name in enumerate(names):
            if name not in known:
                c.problem(
                    (*path, "lexicon", index),
                    _(
                        "unknown lexicon %(name)s; known: %(known)s",
                        name=name,
                        known=", ".join(known),
                    ),
                )
        check["lexicon"] = names
    elif kind == "regex":
        pattern = c.text(raw, "pattern", path)
        try:
            re.compile(pattern)
        except re.error as error:
            c.problem((*path, "pattern"), _("is not a valid regular expression: %(e)s", e=error))
        check["pattern"] = pattern
        check["must_match"] = c.boolean(raw, "must_match", path, default=True)
    elif kind == "hidden_fact_uncovered":
        fact = raw.get("fact")
        if fact not in fact_ids:
            c.problem((*path, "fact"), _("must name one of the hidden_facts ids"))
        check["fact"] = str(fact)
    extra = {"seconds", "phrases", "min", "lexicon", "pattern", "must_match", "fact"} - set(check)
    for key in extra & set(raw):
        c.problem((*path, key), _("is not used by a %(type)s check", type=kind))
    return check


def _rubric(c: Checker, data: dict, fact_ids: set[str]) -> dict:
    path = ("rubric",)
    raw = c.mapping(data.get("rubric"), path, ("pass_mark", "items"))
    items, seen = [], set()
    item_keys = (
        "id",
        "title",
        "kind",
        "check",
        "scale",
        "weight",
        "critical",
        "na_allowed",
        "guidance",
        "offline_keywords",
        *JUDGED_KEYS,
    )
    for index, item in enumerate(c.items(raw, "items", path, required=True)):
        where = (*path, "items", index)
        item = c.mapping(item, where, item_keys)
        kind = item.get("kind")
        scale = item.get("scale")
        if scale not in SCALES:
            c.problem((*where, "scale"), _("must be pass_fail, 3, 4 or 5"))
            scale = "pass_fail"
        entry: dict[str, Any] = {
            "id": c.identifier(item, "id", where, seen),
            "title": c.bilingual(item, "title", where),
            "kind": kind,
            "scale": scale,
            "weight": c.number(item, "weight", where, default=1),
            "critical": c.boolean(item, "critical", where),
            "na_allowed": c.boolean(item, "na_allowed", where),
        }
        if kind == "rule":
            if scale != "pass_fail":
                c.problem((*where, "scale"), _("rule items are pass_fail"))
            if "check" not in item:
                c.problem(where, _("a rule item needs a check"))
            entry["check"] = _check(c, item.get("check", {}), (*where, "check"), fact_ids)
            for key in ("guidance", "offline_keywords", *JUDGED_KEYS):
                if key in item:
                    c.problem((*where, key), _("is only used by judged items"))
        elif kind == "judged":
            entry["guidance"] = c.text(item, "guidance", where)
            entry.update(judged_extras(c, item, where))
            if "check" in item:
                c.problem((*where, "check"), _("is only used by rule items"))
        else:
            c.problem((*where, "kind"), _("must be rule or judged"))
        items.append(entry)
    return {"pass_mark": c.integer(raw, "pass_mark", path, 0, 100, default=70), "items": items}


def _coaching(c: Checker, data: dict, item_ids: set[str]) -> list[dict]:
    links = []
    for index, raw in enumerate(c.items(data, "coaching", ())):
        where = ("coaching", index)
        raw = c.mapping(raw, where, ("item", "lesson"))
        item = raw.get("item")
        if item not in item_ids:
            c.problem((*where, "item"), _("must name one of the rubric item ids"))
        lesson = raw.get("lesson")
        if not isinstance(lesson, str) or not LESSON_RE.match(lesson):
            c.problem((*where, "lesson"), _("must look like course-slug/lesson-slug"))
        links.append({"item": str(item), "lesson": str(lesson)})
    return links


def normalise(data: Any, lines: dict[Path, int] | None = None) -> tuple[dict, list[Problem]]:
    """Validate parsed YAML; return the normalised spec and the problems found."""
    c = Checker(lines or {})
    with message_locale():
        data = c.mapping(data, (), TOP_KEYS)
        slug = data.get("slug")
        if not isinstance(slug, str) or not SLUG_RE.match(slug) or len(slug) > 80:
            c.problem(("slug",), _("must be lowercase letters, digits and hyphens"))
        category = data.get("category")
        if category not in CATEGORIES:
            c.problem(("category",), _("must be one of %(c)s", c=", ".join(CATEGORIES)))
        facts = _hidden_facts(c, data)
        rubric = _rubric(c, data, {f["id"] for f in facts})
        spec = {
            "slug": str(slug),
            "title": c.bilingual(data, "title", ()),
            "summary": c.bilingual(data, "summary", ()),
            "category": str(category),
            "difficulty": c.integer(data, "difficulty", (), 1, 3),
            "persona": _persona(c, data),
            "situation": c.text(data, "situation", ()),
            "hidden_facts": facts,
            "opening": c.text(data, "opening", ()),
            "mood": mood_section(c, data),
            "end": end_section(c, data),
            "goal": goal_section(c, data),
            "policy": c.text(data, "policy", ()),
            "script": script_section(c, data),
            "rubric": rubric,
            "coaching": _coaching(c, data, {i["id"] for i in rubric["items"]}),
            "examples": c.words(data, "examples", (), required=False),
        }
    return spec, sorted(c.problems, key=lambda p: p.line)


def parse_scenario(text: str, *, expected_slug: str | None = None) -> dict:
    """Parse and validate scenario YAML; raises ScenarioError with line-numbered problems."""
    with message_locale():
        try:
            data, lines, duplicates = yamltext.load_with_lines(text)
        except yamltext.YamlSyntaxError as error:
            raise ScenarioError(
                [spec_problem(error.line, "", _("not valid YAML: %(e)s", e=error.message))]
            ) from error
        spec, problems = normalise(data, lines)
        for line, key in duplicates:
            problems.append(spec_problem(line, key, _("%(key)s: duplicate key", key=key)))
        if expected_slug is not None and spec["slug"] != expected_slug and not problems:
            problems.append(
                spec_problem(
                    lines.get(("slug",), 1),
                    "slug",
                    _("slug: must equal the file name (%(slug)s)", slug=expected_slug),
                )
            )
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: p.line))
    return spec


def dump_spec(spec: dict) -> str:
    """Scenario YAML for a normalised spec, in the documented key order."""
    return yamltext.dump({key: spec[key] for key in TOP_KEYS if key in spec})


def spec_digest(spec: dict) -> str:
    """A fingerprint of the content, to tell whether a new version is needed."""
    canonical = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def item_by_id(spec: dict) -> dict[str, dict]:
    """Rubric items of a spec by id."""
    return {item["id"]: item for item in spec["rubric"]["items"]}
