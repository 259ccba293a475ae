"""The browser editor: structured form fields plus one YAML block for the nested parts.

Both are merged into one scenario and validated by the same code as the shipped files, so a
problem in the YAML block is reported with its line number in that block.
"""

from trainer.core.i18n import _
from trainer.core.problems import Problem
from trainer.roleplay import yamltext
from trainer.roleplay.scenarios import normalise

DETAIL_KEYS = ("hidden_facts", "mood", "end", "goal", "script", "rubric", "coaching", "examples")
# Where a problem in the merged spec is shown in the form.
FIELD_OF_PATH = {
    "slug": "slug",
    "title.zh_CN": "title_zh",
    "title.en": "title_en",
    "title": "title_zh",
    "summary.zh_CN": "summary_zh",
    "summary.en": "summary_en",
    "summary": "summary_zh",
    "category": "category",
    "difficulty": "difficulty",
    "persona.name": "persona_name",
    "persona.temperament": "persona_temperament",
    "persona.patience": "persona_patience",
    "persona.style": "persona_style",
    "persona": "persona_name",
    "situation": "situation",
    "opening": "opening",
    "policy": "policy",
}


class FormProblems(ValueError):
    """Problems to show next to form fields: field name → messages."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in problems.values() for m in ms))
        self.problems = problems


def form_data(spec: dict) -> dict:
    """Form field values for a spec."""
    persona = spec["persona"]
    return {
        "slug": spec["slug"],
        "title_zh": spec["title"]["zh_CN"],
        "title_en": spec["title"]["en"],
        "summary_zh": spec["summary"]["zh_CN"],
        "summary_en": spec["summary"]["en"],
        "category": spec["category"],
        "difficulty": spec["difficulty"],
        "persona_name": persona["name"],
        "persona_temperament": persona["temperament"],
        "persona_patience": persona["patience"],
        "persona_style": persona["style"],
        "situation": spec["situation"],
        "opening": spec["opening"],
        "policy": spec["policy"],
        "details": yamltext.dump({key: spec[key] for key in DETAIL_KEYS if key in spec}),
    }


def blank_details() -> str:
    """A starting YAML block for a new scenario, valid once the texts are filled in."""
    return yamltext.dump(
        {
            "hidden_facts": [],
            "mood": {"start": 40, "give_up_at": 10, "satisfied_at": 75, "rules": []},
            "end": {"max_turns": 10},
            "goal": {
                "needs": [
                    {
                        "id": "decision",
                        "need": "处理结果",
                        "kind": "decision",
                        "words": ["已为您"],
                        "ask": "所以到底怎么处理？",
                        "pushback": "你能不能给个准话？",
                    }
                ]
            },
            "script": {
                "beats": [],
                "fallback": ["所以到底怎么处理？"],
                "resolved_reply": "好的，谢谢你。",
                "gave_up_reply": "算了，我去平台投诉。",
            },
            "rubric": {
                "pass_mark": 70,
                "items": [
                    {
                        "id": "first_response",
                        "title": {
                            "zh_CN": "30 秒内首次响应",
                            "en": "First response within 30 seconds",
                        },
                        "kind": "rule",
                        "check": {"type": "first_response_within", "seconds": 30},
                        "scale": "pass_fail",
                        "weight": 1,
                    }
                ],
            },
            "coaching": [],
            "examples": [],
        }
    )


def _field_for(problem: Problem) -> str:
    path = problem.field or ""
    while path:
        if path in FIELD_OF_PATH:
            return FIELD_OF_PATH[path]
        path = path.rpartition(".")[0]
    return "details"


def spec_from_form(data: dict, slug: str) -> dict:
    """Merge the form's fields and YAML block into a validated spec; raises FormProblems."""
    problems: dict[str, list[str]] = {}
    try:
        details, lines, duplicates = yamltext.load_with_lines(data.get("details") or "")
    except yamltext.YamlSyntaxError as error:
        raise FormProblems(
            {"details": [_("Line %(n)d: not valid YAML: %(e)s", n=error.line, e=error.message)]}
        ) from error
    details = details if details is not None else {}
    if not isinstance(details, dict):
        raise FormProblems({"details": [_("Line 1: must be a mapping of keys to values")]})
    for key in details:
        if key not in DETAIL_KEYS:
            line = lines.get((key,), 1)
            problems.setdefault("details", []).append(
                _(
                    "Line %(n)d: %(key)s belongs in the form fields above, or is unknown.",
                    n=line,
                    key=key,
                )
            )
    for line, key in duplicates:
        problems.setdefault("details", []).append(
            _("Line %(n)d: %(key)s: duplicate key", n=line, key=key)
        )
    raw = {
        "slug": slug,
        "title": {"zh_CN": data.get("title_zh"), "en": data.get("title_en")},
        "summary": {"zh_CN": data.get("summary_zh"), "en": data.get("summary_en")},
        "category": data.get("category"),
        "difficulty": data.get("difficulty"),
        "persona": {
            "name": data.get("persona_name"),
            "temperament": data.get("persona_temperament"),
            "patience": data.get("persona_patience"),
            "style": data.get("persona_style") or "",
        },
        "situation": data.get("situation"),
        "opening": data.get("opening"),
        "policy": data.get("policy"),
        **{key: value for key, value in details.items() if key in DETAIL_KEYS},
    }
    spec, found = normalise(raw, {path: line for path, line in lines.items() if path})
    for problem in found:
        field = _field_for(problem)
        if field == "details":
            message = _("Line %(n)d: %(message)s", n=problem.line, message=problem.message)
        else:
            message = problem.message
        problems.setdefault(field, []).append(message)
    if problems:
        raise FormProblems(problems)
    return spec
