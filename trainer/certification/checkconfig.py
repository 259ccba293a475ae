"""Which course, quiz and scenario slugs named by the ladder do not exist (yet).

Slugs are looked up in the shipped content files (courses/*/course.yaml, courses/*/quiz.yaml,
scenarios/*.yaml) so the check works whether or not those features are installed; an unknown
slug is reported, never fatal: the content may land later.
"""

from pathlib import Path

import yaml
from flask import current_app

from trainer.certification.ladder import Ladder


def _yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None


def known_slugs(root: Path) -> dict[str, set[str]]:
    """Course and quiz slugs defined in the content files below `root`."""
    courses = {p.parent.name for p in root.glob("courses/*/course.yaml")}
    quizzes: set[str] = set()
    for path in root.glob("courses/*/quiz.yaml"):
        data = _yaml(path)
        items = (
            data.get("quizzes", [])
            if isinstance(data, dict)
            else data
            if isinstance(data, list)
            else []
        )
        if isinstance(data, dict) and "slug" in data:
            items = [data]
        quizzes.update(str(q["slug"]) for q in items if isinstance(q, dict) and q.get("slug"))
    return {"course": courses, "quiz": quizzes}


def unknown_slugs(ladder: Ladder, root: Path | None = None) -> list[tuple[str, str, str]]:
    """(level code, kind, slug) for every slug the ladder names that no content file defines."""
    known = known_slugs(root or Path(current_app.config["CONTENT_ROOT"]))
    missing = []
    for level in ladder.levels:
        missing += [(level.code, "course", s) for s in level.courses if s not in known["course"]]
        missing += [(level.code, "quiz", s) for s in level.quizzes if s not in known["quiz"]]
    return missing
