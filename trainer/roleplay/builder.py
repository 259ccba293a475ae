"""The scenario builder: a validated spec ↔ the builder form's values, and row editing.

`builder_data(spec)` gives the form's values; `spec_from_builder(data, slug)` turns them back
into raw scenario data and validates it with the same schema as the YAML files
(scenarios.normalise), mapping each problem to the form field it belongs beside. The pair is
lossless: spec → form → spec gives the same spec for every valid scenario (tested over the
shipped files).
"""

from typing import Any

from trainer.core.formvalues import FieldProblems
from trainer.roleplay.builder_values import builder_data, raw_from_builder
from trainer.roleplay.scenarios import normalise

__all__ = ["FormProblems", "apply_row_op", "builder_data", "spec_from_builder", "starter_data"]

# Values of a newly added row.
NEW_ROWS: dict[str, dict[str, Any]] = {
    "hidden_facts": {"id": "", "fact": "", "ask_keywords": "", "reveal": ""},
    "mood_rules": {"any": "", "all": "", "slow_reply_seconds": "", "change": ""},
    "needs": {"kind": "decision", "mood": "10"},
    "beats": {"asked": False, "mood": "0"},
    "rubric_items": {
        "kind": "judged",
        "scale": "5",
        "weight": "1",
        "check_type": "first_response_within",
        "check_must_match": True,
        "min_count": "1",
        "topics": [],
    },
    "topics": {},
    "coaching": {},
}
GENERAL = "_general"  # problems that belong to no single field


class FormProblems(FieldProblems):
    """Problems to show next to form fields: field name → messages."""


def starter_data() -> dict:
    """Builder values for a new scenario: the parts every scenario needs, ready to fill in."""
    return {
        "difficulty": "2",
        "persona_patience": "3",
        "mood_start": "40",
        "mood_give_up_at": "10",
        "mood_satisfied_at": "75",
        "max_turns": "10",
        "needs": [
            {
                "id": "decision",
                "need": "处理结果",
                "kind": "decision",
                "words": "已为您",
                "ask": "所以到底怎么处理？",
                "pushback": "你能不能给个准话？",
                "mood": "10",
            }
        ],
        "fallback": "所以到底怎么处理？",
        "resolved_reply": "好的，谢谢你。",
        "gave_up_reply": "算了，我去平台投诉。",
        "pass_mark": "70",
        "rubric_items": [
            {
                **NEW_ROWS["rubric_items"],
                "id": "first_response",
                "title_zh": "30 秒内首次响应",
                "title_en": "First response within 30 seconds",
                "kind": "rule",
                "scale": "pass_fail",
                "check_seconds": "30",
            },
            {
                **NEW_ROWS["rubric_items"],
                "id": "platform_rules",
                "title_zh": "遵守平台规则",
                "title_en": "Keeps the platform rules",
                "kind": "rule",
                "scale": "pass_fail",
                "critical": True,
                "check_type": "forbidden_lexicon",
                "check_lexicon": ["off_platform", "sensitive_data"],
            },
        ],
    }


# ---- problems → fields -------------------------------------------------------------------------

TOP_FIELDS = {
    ("title", "zh_CN"): "title_zh",
    ("title", "en"): "title_en",
    ("title",): "title_zh",
    ("summary", "zh_CN"): "summary_zh",
    ("summary", "en"): "summary_en",
    ("summary",): "summary_zh",
    ("persona",): "persona_name",
    ("mood",): "mood_start",
    ("mood", "rules"): "mood_rules",
    ("end",): "max_turns",
    ("end", "max_turns"): "max_turns",
    ("goal",): "needs",
    ("goal", "needs"): "needs",
    ("script",): "fallback",
    ("script", "beats"): "beats",
    ("rubric",): "rubric_items",
    ("rubric", "items"): "rubric_items",
    ("rubric", "pass_mark"): "pass_mark",
}
ROWS = {
    ("hidden_facts",): "hidden_facts",
    ("mood", "rules"): "mood_rules",
    ("goal", "needs"): "needs",
    ("script", "beats"): "beats",
    ("rubric", "items"): "rubric_items",
    ("coaching",): "coaching",
}


def _row_field(prefix: str, rest: list[str]) -> str:
    """The field of a row (`prefix` = "beats-2") for the rest of a problem's key path."""
    if not rest:
        return f"{prefix}-id"
    head = rest[0]
    if head == "when":
        return f"{prefix}-{rest[1] if len(rest) > 1 else 'any'}"
    if head == "title":
        return f"{prefix}-title_{'en' if rest[1:2] == ['en'] else 'zh'}"
    if head == "check":
        return f"{prefix}-check_{rest[1] if len(rest) > 1 else 'type'}"
    if head == "levels":
        level = rest[1] if len(rest) > 1 else "met"
        return f"{prefix}-{level}_{'en' if rest[2:3] == ['en'] else 'zh'}"
    if head == "topics" and len(rest) > 1 and rest[1].isdigit():
        topic = f"{prefix}-topics-{rest[1]}"
        if rest[2:3] == ["missing"]:
            return f"{topic}-missing_{'en' if rest[3:4] == ['en'] else 'zh'}"
        return f"{topic}-words"
    return f"{prefix}-{head}"


def field_of(key: str | None) -> str:
    """The builder field a schema problem belongs beside (its dotted key path)."""
    parts = (key or "").split(".") if key and key != "(top)" else []
    for size in (2, 1):
        section = tuple(parts[:size])
        if section in ROWS and len(parts) > size and parts[size].isdigit():
            return _row_field(f"{ROWS[section]}-{parts[size]}", parts[size + 1 :])
    head, sub = (parts + ["", ""])[:2]
    if head == "persona" and sub:
        return f"persona_{sub}"
    if head == "mood" and sub in ("start", "give_up_at", "satisfied_at"):
        return f"mood_{sub}"
    if head == "script" and sub and sub != "beats":
        return sub
    for size in range(len(parts), 0, -1):
        if tuple(parts[:size]) in TOP_FIELDS:
            return TOP_FIELDS[tuple(parts[:size])]
    return head or GENERAL


def spec_from_builder(data: dict, slug: str) -> dict:
    """Validate the builder's values as a scenario; raises FormProblems (field → messages)."""
    spec, found = normalise(raw_from_builder(data, slug))
    if not found:
        return spec
    problems: dict[str, list[str]] = {}
    for problem in found:
        message = problem.message
        if problem.field and message.startswith(f"{problem.field}: "):
            message = message[len(problem.field) + 2 :]
        problems.setdefault(field_of(problem.field), []).append(message)
    raise FormProblems(problems)


# ---- row editing -----------------------------------------------------------------------------


def _rows_at(data: dict, path: list[str]) -> list:
    node: Any = data
    for part in path:
        if isinstance(node, list):
            node = node[int(part)]
        elif part in NEW_ROWS:
            node = node.setdefault(part, [])
        else:
            raise KeyError(part)
    if not isinstance(node, list):
        raise KeyError(path)
    return node


def apply_row_op(data: dict, op: str) -> dict:
    """Add, remove or move a row: op is "add:<list>", "remove|up|down:<list>/<index>" where a
    list inside a row is named by its path ("rubric_items/2/topics")."""
    verb, _, target = op.partition(":")
    parts = [p for p in target.split("/") if p]
    try:
        if verb == "add":
            _rows_at(data, parts).append(dict(NEW_ROWS.get(parts[-1], {})))
            return data
        rows, index = _rows_at(data, parts[:-1]), int(parts[-1])
        if not 0 <= index < len(rows):
            return data
        if verb == "remove":
            rows.pop(index)
        elif verb in ("up", "down"):
            other = index - 1 if verb == "up" else index + 1
            if 0 <= other < len(rows):
                rows[index], rows[other] = rows[other], rows[index]
    except (KeyError, ValueError, IndexError, TypeError):
        pass  # a stale or forged button changes nothing
    return data
