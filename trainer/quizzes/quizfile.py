"""quiz.yaml files: reading the quizzes with their lines, and turning one into QuizSettings."""

import functools
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from trainer.core.problems import Problem
from trainer.core.yamlsafe import DocumentError, load_document
from trainer.quizzes.quizdefs import PLAIN_SETTINGS, QuizSettings

QUIZ_KEYS = {"slug", "title", "description", "draw", *PLAIN_SETTINGS}


class QuizEntry(NamedTuple):
    """One quiz of a quiz.yaml and the file line of a path inside it."""

    data: dict
    line: Callable[..., int]


def read_quiz_file(path: Path, shown: str, problems: list[Problem]) -> list[QuizEntry]:
    """The quizzes of one quiz.yaml; what is wrong goes to `problems`."""
    try:
        doc = load_document(path.read_text(encoding="utf-8"))
    except DocumentError as error:
        problems.append(Problem(shown, error.line, f"YAML: {error.message}"))
        return []
    except UnicodeDecodeError as error:
        problems.append(Problem(shown, 1, f"cannot read: {error}"))
        return []
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("quizzes"), list):
        problems.append(Problem(shown, 1, "expected a mapping with a `quizzes:` list"))
        return []
    entries = []
    for i, entry in enumerate(data["quizzes"]):
        if not isinstance(entry, dict):
            problems.append(Problem(shown, doc.line(), "a quiz must be a mapping"))
            continue
        entries.append(QuizEntry(entry, functools.partial(doc.line, "quizzes", i)))
    return entries


def quiz_settings(
    quiz: QuizEntry, course: str, resolve, shown: str, problems: list[Problem]
) -> QuizSettings | None:
    """Settings from one quiz entry; fixed questions resolved by `resolve(ref) -> id | None`."""
    entry, line = quiz.data, quiz.line()
    before = len(problems)
    unknown = set(entry) - QUIZ_KEYS
    if unknown:
        problems.append(Problem(shown, line, f"unknown keys: {', '.join(sorted(unknown))}"))
    rules = []
    draw = entry.get("draw")
    if not isinstance(draw, list) or not draw:
        problems.append(Problem(shown, line, "`draw` must be a non-empty list of rules"))
        draw = []
    for j, rule in enumerate(draw):
        rule_line = quiz.line("draw", j) if isinstance(rule, dict) else line
        if isinstance(rule, dict) and "random" in rule:
            rules.append(
                {
                    "type": "random",
                    "count": rule.get("random"),
                    "category": str(rule.get("category") or ""),
                    "tag": str(rule.get("tag") or ""),
                    "difficulty": str(rule.get("difficulty") or ""),
                }
            )
        elif isinstance(rule, dict) and isinstance(rule.get("fixed"), list):
            ids = []
            for ref in rule["fixed"]:
                found = resolve(str(ref))
                if found is None:
                    problems.append(Problem(shown, rule_line, f"unknown question: {ref}"))
                else:
                    ids.append(found)
            rules.append({"type": "fixed", "questions": ids})
        else:
            problems.append(Problem(shown, rule_line, "a rule is `random: N` or `fixed: [...]`"))
    title = entry.get("title")
    description = entry.get("description") or {}
    if not isinstance(title, dict) or not isinstance(description, dict):
        problems.append(Problem(shown, line, "title and description are {zh_CN, en} mappings"))
        return None
    try:
        settings = QuizSettings(
            slug=str(entry.get("slug") or ""),
            title={k: str(v) for k, v in title.items()},
            description={k: str(v) for k, v in description.items()},
            course_slug=course,
            draw_rules=rules,
            shuffle_questions=bool(entry.get("shuffle_questions", True)),
            shuffle_options=bool(entry.get("shuffle_options", True)),
            time_limit_minutes=_int_or_none(entry.get("time_limit_minutes")),
            attempts_allowed=int(entry.get("attempts_allowed", 0)),
            wait_minutes=int(entry.get("wait_minutes", 0)),
            pass_mark=float(entry.get("pass_mark", 80)),
            grading_method=str(entry.get("grading_method", "highest")),
            validity_days=_int_or_none(entry.get("validity_days")),
            review_policy=str(entry.get("review_policy", "after_submit")),
            published=bool(entry.get("published", True)),
        )
    except (TypeError, ValueError) as error:
        problems.append(Problem(shown, line, f"bad value: {error}"))
        return None
    problems.extend(Problem(shown, line, message) for message in settings.problems())
    return settings if len(problems) == before else None


def _int_or_none(value) -> int | None:
    return None if value in (None, "") else int(value)
