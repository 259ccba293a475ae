"""The scenario builder's values: a validated spec → the form's values, and back to raw data.

`builder_data(spec)` and `raw_from_builder(values, slug)` are inverse for every valid scenario
(tested over the shipped files and random edits); builder.py validates the raw data.
"""

from typing import Any

from trainer.core.formvalues import typed_number

CONDITION_KEYS = ("any", "all", "slow_reply_seconds")
LEVEL_KEYS = ("met", "partly", "not_met")
CHECK_PARAMS = {
    "first_response_within": ("seconds",),
    "response_within": ("seconds",),
    "required_phrases": ("phrases", "min"),
    "forbidden_phrases": ("phrases",),
    "forbidden_lexicon": ("lexicon",),
    "regex": ("pattern", "must_match"),
    "hidden_fact_uncovered": ("fact",),
}


# ---- spec → form values ---------------------------------------------------------------------


def _lines(words: list | None) -> str:
    return "\n".join(str(w) for w in words or [])


def _num(value: Any) -> str:
    return "" if value is None else str(value)


def _condition(when: dict) -> dict:
    return {
        "any": _lines(when.get("any")),
        "all": _lines(when.get("all")),
        "slow_reply_seconds": _num(when.get("slow_reply_seconds")),
    }


def _item_data(item: dict) -> dict:
    check = item.get("check") or {}
    levels = item.get("levels") or {}
    data = {
        "id": item["id"],
        "title_zh": item["title"]["zh_CN"],
        "title_en": item["title"]["en"],
        "kind": item["kind"],
        "scale": str(item["scale"]),
        "weight": _num(item["weight"]),
        "critical": item["critical"],
        "na_allowed": item["na_allowed"],
        "check_type": check.get("type", "first_response_within"),
        "check_seconds": _num(check.get("seconds")),
        "check_phrases": _lines(check.get("phrases")),
        "check_min": _num(check.get("min")),
        "check_lexicon": list(check.get("lexicon", [])),
        "check_pattern": check.get("pattern", ""),
        "check_must_match": check.get("must_match", True),
        "check_fact": check.get("fact", ""),
        "guidance": item.get("guidance", ""),
        "acts": list(item.get("acts", [])),
        "min_count": _num(item.get("min_count")),
        "against": list(item.get("against", [])),
        "topics": [
            {
                "words": _lines(t["words"]),
                "missing_zh": t["missing"].get("zh_CN", ""),
                "missing_en": t["missing"].get("en", ""),
            }
            for t in item.get("topics", [])
        ],
        "min_topics": _num(item.get("min_topics")),
        "offline_keywords": _lines(item.get("offline_keywords")),
    }
    for level in LEVEL_KEYS:
        data[f"{level}_zh"] = levels.get(level, {}).get("zh_CN", "")
        data[f"{level}_en"] = levels.get(level, {}).get("en", "")
    return data


def builder_data(spec: dict) -> dict:
    """The builder form's values for a validated spec."""
    persona, mood, script = spec["persona"], spec["mood"], spec["script"]
    return {
        "slug": spec["slug"],
        "title_zh": spec["title"]["zh_CN"],
        "title_en": spec["title"]["en"],
        "summary_zh": spec["summary"]["zh_CN"],
        "summary_en": spec["summary"]["en"],
        "category": spec["category"],
        "difficulty": str(spec["difficulty"]),
        "persona_name": persona["name"],
        "persona_temperament": persona["temperament"],
        "persona_patience": str(persona["patience"]),
        "persona_style": persona["style"],
        "situation": spec["situation"],
        "opening": spec["opening"],
        "policy": spec["policy"],
        "hidden_facts": [
            {
                "id": f["id"],
                "fact": f["fact"],
                "ask_keywords": _lines(f["ask_keywords"]),
                "reveal": f["reveal"],
            }
            for f in spec["hidden_facts"]
        ],
        "mood_start": _num(mood["start"]),
        "mood_give_up_at": _num(mood["give_up_at"]),
        "mood_satisfied_at": _num(mood["satisfied_at"]),
        "mood_rules": [
            {**_condition(r["when"]), "change": _num(r["change"])} for r in mood["rules"]
        ],
        "max_turns": _num(spec["end"]["max_turns"]),
        "needs": [
            {**n, "words": _lines(n["words"]), "mood": _num(n["mood"])}
            for n in spec["goal"]["needs"]
        ],
        "beats": [
            {
                "id": b["id"],
                **_condition(b["when"]),
                "asked": b["asked"],
                "reply": b["reply"],
                "mood": _num(b["mood"]),
            }
            for b in script["beats"]
        ],
        "fallback": _lines(script["fallback"]),
        **{
            key: script.get(key, "")
            for key in (
                "resolved_reply",
                "gave_up_reply",
                "supervisor_reply",
                "rude_reply",
                "breach_reply",
            )
        },
        "pass_mark": _num(spec["rubric"]["pass_mark"]),
        "rubric_items": [_item_data(item) for item in spec["rubric"]["items"]],
        "coaching": [dict(link) for link in spec["coaching"]],
        "examples": _lines(spec["examples"]),
    }


# ---- form values → raw scenario data ---------------------------------------------------------


def _text(value: Any) -> str:
    """Browsers send CRLF line ends from text areas; the files use LF."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


def _phrases(value: Any) -> list[str]:
    return [line.strip() for line in _text(value).split("\n") if line.strip()]


_number = typed_number  # a number typed in a field (core.formvalues)


def _put(target: dict, key: str, value: Any) -> None:
    """Set `key` unless the field was left empty (the schema's default then applies)."""
    if value not in (None, "", [], {}):
        target[key] = value


def _raw_condition(row: dict) -> dict:
    when: dict[str, Any] = {}
    _put(when, "any", _phrases(row.get("any")))
    _put(when, "all", _phrases(row.get("all")))
    _put(when, "slow_reply_seconds", _number(row.get("slow_reply_seconds")))
    return when


def _raw_check(row: dict) -> dict:
    kind = row.get("check_type")
    check: dict[str, Any] = {"type": kind}
    params = CHECK_PARAMS.get(kind, ())
    if "seconds" in params:
        check["seconds"] = _number(row.get("check_seconds"))
    if "phrases" in params:
        check["phrases"] = _phrases(row.get("check_phrases"))
    if "min" in params:
        _put(check, "min", _number(row.get("check_min")))
    if "lexicon" in params:
        check["lexicon"] = list(row.get("check_lexicon") or [])
    if "pattern" in params:
        check["pattern"] = _text(row.get("check_pattern"))
        check["must_match"] = bool(row.get("check_must_match"))
    if "fact" in params:
        check["fact"] = _text(row.get("check_fact")).strip()
    return check


def _raw_item(row: dict) -> dict:
    scale = row.get("scale")
    item: dict[str, Any] = {
        "id": _text(row.get("id")).strip(),
        "title": {"zh_CN": _text(row.get("title_zh")), "en": _text(row.get("title_en"))},
        "kind": row.get("kind"),
        "scale": int(scale) if scale and str(scale).isdigit() else scale,
        "critical": bool(row.get("critical")),
        "na_allowed": bool(row.get("na_allowed")),
    }
    _put(item, "weight", _number(row.get("weight")))
    if item["kind"] == "rule":
        item["check"] = _raw_check(row)
        return item
    item["guidance"] = _text(row.get("guidance"))
    _put(item, "acts", list(row.get("acts") or []))
    if "acts" in item:
        _put(item, "min_count", _number(row.get("min_count")))
    _put(item, "against", list(row.get("against") or []))
    topics = [
        {
            "words": _phrases(t.get("words")),
            "missing": {"zh_CN": _text(t.get("missing_zh")), "en": _text(t.get("missing_en"))},
        }
        for t in row.get("topics") or []
    ]
    _put(item, "topics", topics)
    if topics:
        _put(item, "min_topics", _number(row.get("min_topics")))
    levels = {}
    for level in LEVEL_KEYS:
        zh, en = _text(row.get(f"{level}_zh")), _text(row.get(f"{level}_en"))
        if zh.strip() or en.strip():
            levels[level] = {"zh_CN": zh, "en": en}
    _put(item, "levels", levels)
    _put(item, "offline_keywords", _phrases(row.get("offline_keywords")))
    return item


def raw_from_builder(data: dict, slug: str) -> dict:
    """Scenario data (as if read from YAML) for the builder form's values."""
    rows = lambda name: data.get(name) or []  # noqa: E731
    mood: dict[str, Any] = {}
    for key in ("start", "give_up_at", "satisfied_at"):
        _put(mood, key, _number(data.get(f"mood_{key}")))
    mood["rules"] = [
        {"when": _raw_condition(r), "change": _number(r.get("change"))} for r in rows("mood_rules")
    ]
    end: dict[str, Any] = {}
    _put(end, "max_turns", _number(data.get("max_turns")))
    script: dict[str, Any] = {
        "beats": [
            {
                "id": _text(b.get("id")).strip(),
                "when": _raw_condition(b),
                "asked": bool(b.get("asked")),
                "reply": _text(b.get("reply")),
                **({"mood": m} if (m := _number(b.get("mood"))) is not None else {}),
            }
            for b in rows("beats")
        ],
        "fallback": _phrases(data.get("fallback")),
        "resolved_reply": _text(data.get("resolved_reply")),
        "gave_up_reply": _text(data.get("gave_up_reply")),
    }
    for key in ("supervisor_reply", "rude_reply", "breach_reply"):
        _put(script, key, _text(data.get(key)).strip())
    needs = []
    for n in rows("needs"):
        need = {key: _text(n.get(key)).strip() for key in ("id", "need", "kind", "ask", "pushback")}
        need["words"] = _phrases(n.get("words"))
        _put(need, "mood", _number(n.get("mood")))
        needs.append(need)
    rubric: dict[str, Any] = {"items": [_raw_item(r) for r in rows("rubric_items")]}
    _put(rubric, "pass_mark", _number(data.get("pass_mark")))
    return {
        "slug": slug,
        "title": {"zh_CN": _text(data.get("title_zh")), "en": _text(data.get("title_en"))},
        "summary": {"zh_CN": _text(data.get("summary_zh")), "en": _text(data.get("summary_en"))},
        "category": data.get("category"),
        "difficulty": _number(data.get("difficulty")),
        "persona": {
            "name": _text(data.get("persona_name")),
            "temperament": _text(data.get("persona_temperament")),
            "patience": _number(data.get("persona_patience")),
            "style": _text(data.get("persona_style")),
        },
        "situation": _text(data.get("situation")),
        "hidden_facts": [
            {
                "id": _text(f.get("id")).strip(),
                "fact": _text(f.get("fact")),
                "ask_keywords": _phrases(f.get("ask_keywords")),
                "reveal": _text(f.get("reveal")),
            }
            for f in rows("hidden_facts")
        ],
        "opening": _text(data.get("opening")),
        "mood": mood,
        "end": end,
        "goal": {"needs": needs},
        "policy": _text(data.get("policy")),
        "script": script,
        "rubric": rubric,
        "coaching": [
            {"item": _text(c.get("item")).strip(), "lesson": _text(c.get("lesson")).strip()}
            for c in rows("coaching")
        ],
        **({"examples": examples} if (examples := _phrases(data.get("examples"))) else {}),
    }
