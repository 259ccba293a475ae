"""Judged rubric items that say what they measure: acts, topics and level descriptions.

An item may list the acts it measures (`acts`, with `min_count`), the acts that count against it
(`against`), the scenario facts the agent must state (`topics`, each with its words and a
`missing` guidance text) and a description of each level (`levels`). Items without them keep
their `offline_keywords` (older files stay valid).
"""

from typing import Any

from trainer.core.i18n import _
from trainer.roleplay.schema import Checker, Path
from trainer.roleplay.understanding import ACT_KINDS

JUDGED_KEYS = ("acts", "min_count", "against", "topics", "min_topics", "levels")
LEVELS = ("met", "partly", "not_met")


def _kinds(c: Checker, item: dict, key: str, where: Path) -> list[str]:
    kinds = c.words(item, key, where, required=False)
    for index, kind in enumerate(kinds):
        if kind not in ACT_KINDS:
            c.problem(
                (*where, key, index),
                _("unknown act %(name)s; known: %(known)s", name=kind, known=", ".join(ACT_KINDS)),
            )
    return kinds


def _texts(c: Checker, value: Any, where: Path) -> dict[str, str]:
    """A text in both languages; one plain string serves both."""
    if isinstance(value, str) and value.strip():
        return {"zh_CN": value.strip(), "en": value.strip()}
    return c.bilingual({where[-1]: value}, where[-1], where[:-1])


def _topics(c: Checker, item: dict, where: Path) -> list[dict]:
    topics = []
    for index, raw in enumerate(c.items(item, "topics", where)):
        path = (*where, "topics", index)
        raw = c.mapping(raw, path, ("words", "missing"))
        missing = raw.get("missing")
        if missing is None:
            c.problem((*path, "missing"), _("is required"))
        topics.append(
            {
                "words": c.words(raw, "words", path),
                "missing": _texts(c, missing, (*path, "missing")) if missing is not None else {},
            }
        )
    return topics


def judged_extras(c: Checker, item: dict, where: Path) -> dict[str, Any]:
    """The measuring keys a judged item gives (only those), and offline_keywords if needed."""
    extras: dict[str, Any] = {}
    for key in ("acts", "against"):
        if item.get(key) not in (None, []):
            extras[key] = _kinds(c, item, key, where)
    if item.get("topics") not in (None, []):
        extras["topics"] = _topics(c, item, where)
    if "acts" in extras:
        extras["min_count"] = c.integer(item, "min_count", where, 1, 20, default=1)
    elif "min_count" in item:
        c.problem((*where, "min_count"), _("needs acts"))
    if "topics" in extras:
        high = max(1, len(extras["topics"]))
        extras["min_topics"] = c.integer(item, "min_topics", where, 1, high, default=high)
    elif "min_topics" in item:
        c.problem((*where, "min_topics"), _("needs topics"))
    if item.get("levels") is not None:
        raw_levels = c.mapping(item["levels"], (*where, "levels"), LEVELS)
        extras["levels"] = {
            level: _texts(c, raw_levels[level], (*where, "levels", level))
            for level in LEVELS
            if level in raw_levels
        }
    measured = "acts" in extras or "topics" in extras
    keywords = c.words(item, "offline_keywords", where, required=not measured)
    if keywords or not measured:
        extras["offline_keywords"] = keywords
    return extras
