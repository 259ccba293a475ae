"""The customer's sections of a scenario: `mood:`, `end:`, `goal:` and `script:`.

Checked and normalised here (scenarios.py walks the rest); see docs/scenario-format.md.
"""

from trainer.core.i18n import _
from trainer.roleplay.customer.needs import NEED_KINDS
from trainer.roleplay.schema import Checker

DEFAULT_NEED_MOOD = 10


def mood_section(c: Checker, data: dict) -> dict:
    """`mood:` start, thresholds and keyword rules."""
    path = ("mood",)
    raw = c.mapping(data.get("mood"), path, ("start", "give_up_at", "satisfied_at", "rules"))
    mood = {
        "start": c.integer(raw, "start", path, 0, 100, default=50),
        "give_up_at": c.integer(raw, "give_up_at", path, 0, 100, default=10),
        "satisfied_at": c.integer(raw, "satisfied_at", path, 0, 100, default=75),
        "rules": [],
    }
    if not mood["give_up_at"] < mood["start"] < mood["satisfied_at"]:
        c.problem(path, _("needs give_up_at < start < satisfied_at"))
    for index, rule in enumerate(c.items(raw, "rules", path)):
        where = (*path, "rules", index)
        rule = c.mapping(rule, where, ("when", "change"))
        mood["rules"].append(
            {
                "when": c.condition(rule, "when", where),
                "change": c.integer(rule, "change", where, -100, 100),
            }
        )
    return mood


def end_section(c: Checker, data: dict) -> dict:
    """`end:` the turn limit (the goal decides when the customer is satisfied)."""
    raw = data.get("end")
    if isinstance(raw, dict) and "resolved_when" in raw:
        c.problem(
            ("end", "resolved_when"),
            _("was replaced by the goal: section (what the customer needs to hear)"),
        )
        raw = {k: v for k, v in raw.items() if k != "resolved_when"}
    raw = c.mapping(raw, ("end",), ("max_turns",))
    return {"max_turns": c.integer(raw, "max_turns", ("end",), 1, 50, default=12)}


def goal_section(c: Checker, data: dict) -> dict:
    """`goal:` the needs the customer must hear answered, each with its question."""
    path = ("goal",)
    raw = c.mapping(data.get("goal"), path, ("needs",))
    needs, seen = [], set()
    keys = ("id", "need", "kind", "words", "ask", "pushback", "mood")
    for index, need in enumerate(c.items(raw, "needs", path, required=True)):
        where = (*path, "needs", index)
        need = c.mapping(need, where, keys)
        kind = need.get("kind", "info")
        if kind not in NEED_KINDS:
            c.problem((*where, "kind"), _("must be one of %(c)s", c=", ".join(NEED_KINDS)))
        needs.append(
            {
                "id": c.identifier(need, "id", where, seen),
                "need": c.text(need, "need", where),
                "kind": str(kind),
                "words": c.words(need, "words", where),
                "ask": c.text(need, "ask", where),
                "pushback": c.text(need, "pushback", where),
                "mood": c.integer(need, "mood", where, -100, 100, default=DEFAULT_NEED_MOOD),
            }
        )
    return {"needs": needs}


def script_section(c: Checker, data: dict) -> dict:
    """`script:` the scripted customer's beats and fixed lines."""
    path = ("script",)
    optional = ("supervisor_reply", "rude_reply", "breach_reply")
    raw = c.mapping(
        data.get("script"),
        path,
        ("beats", "fallback", "resolved_reply", "gave_up_reply", *optional),
    )
    beats, seen = [], set()
    for index, beat in enumerate(c.items(raw, "beats", path)):
        where = (*path, "beats", index)
        beat = c.mapping(beat, where, ("id", "when", "asked", "reply", "mood"))
        beats.append(
            {
                "id": c.identifier(beat, "id", where, seen),
                "when": c.condition(beat, "when", where),
                "asked": c.boolean(beat, "asked", where),
                "reply": c.text(beat, "reply", where),
                "mood": c.integer(beat, "mood", where, -100, 100, default=0),
            }
        )
    script = {
        "beats": beats,
        "fallback": c.words(raw, "fallback", path),
        "resolved_reply": c.text(raw, "resolved_reply", path),
        "gave_up_reply": c.text(raw, "gave_up_reply", path),
    }
    for key in optional:
        script[key] = c.text(raw, key, path, required=False)
    return script
