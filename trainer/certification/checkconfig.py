"""Which course, quiz and drill slugs named by the ladder do not exist (yet).

Courses are the folders with a course.yaml; quizzes are those the quiz.yaml files define (read
by the quizzes feature). An unknown slug is reported, never fatal: the content may land later.
"""

from pathlib import Path

from flask import current_app

from trainer.certification.ladder import Ladder
from trainer.drills.achievements import shipped_drill_slugs
from trainer.quizzes.achievements import shipped_quiz_titles


def known_slugs(root: Path) -> dict[str, set[str]]:
    """Course and quiz slugs defined in the content files below `root`."""
    courses = {p.parent.name for p in root.glob("courses/*/course.yaml")}
    return {
        "course": courses,
        "quiz": set(shipped_quiz_titles(str(root))),
        "drill": shipped_drill_slugs(root),
    }


def unknown_slugs(ladder: Ladder, root: Path | None = None) -> list[tuple[str, str, str]]:
    """(level code, kind, slug) for every slug the ladder names that no content file defines."""
    known = known_slugs(root or Path(current_app.config["CONTENT_ROOT"]))
    missing = []
    for level in ladder.levels:
        missing += [(level.code, "course", s) for s in level.courses if s not in known["course"]]
        missing += [(level.code, "quiz", s) for s in level.quizzes if s not in known["quiz"]]
        if level.drill is not None and level.drill.drill not in known["drill"]:
            missing.append((level.code, "drill", level.drill.drill))
    return missing
