"""Public API of quizzes for the features above it: passes per agent and quiz titles."""

import functools
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from trainer.core.evidence import QuizPass
from trainer.core.memo import memo_active
from trainer.extensions import db
from trainer.quizzes.models import Quiz, QuizAttempt
from trainer.quizzes.models.attempt import FINISHED
from trainer.quizzes.quizfile import read_quiz_file
from trainer.quizzes.results import latest_pass
from trainer.quizzes.services import quizzes_and_attempts


def quiz_passes(user_ids: list[int]) -> dict[int, dict[str, QuizPass]]:
    """Per user, per quiz slug: the most recent passing result (possibly expired).

    Contract for certification and scorecards (docs/architecture.md); two queries.
    """
    result: dict[int, dict[str, QuizPass]] = {uid: {} for uid in user_ids}
    if not user_ids:
        return result
    if len(user_ids) == 1 and memo_active():  # one agent's page: what its quiz panel read
        every, attempts = quizzes_and_attempts(user_ids[0])
        attempts = [a for a in attempts if a.state == FINISHED]
        quizzes = {q.id: q for q in every}
    else:
        attempts = db.session.scalars(
            select(QuizAttempt).where(
                QuizAttempt.user_id.in_(list(user_ids)), QuizAttempt.state == FINISHED
            )
        ).all()
        quizzes = {q.id: q for q in db.session.scalars(select(Quiz))}
    grouped: dict[tuple[int, int], list[QuizAttempt]] = defaultdict(list)
    for attempt in attempts:
        grouped[(attempt.user_id, attempt.quiz_id)].append(attempt)
    for (user_id, quiz_id), items in grouped.items():
        quiz = quizzes[quiz_id]
        passed = latest_pass(quiz, items)
        if passed is not None:
            result[user_id][quiz.slug] = QuizPass(
                quiz_slug=quiz.slug,
                score=passed.grade,
                passed_at=passed.passed_at,
                expires_at=passed.expires_at,
            )
    return result


def quiz_titles(slugs: Iterable[str]) -> dict[str, dict]:
    """Quiz titles {"zh_CN", "en"} by slug, from the shipped quiz definitions (quiz.yaml)."""
    titles = shipped_quiz_titles(str(current_app.config["CONTENT_ROOT"]))
    return {slug: titles[slug] for slug in slugs if slug in titles}


@functools.lru_cache(maxsize=4)
def shipped_quiz_titles(root: str) -> dict[str, dict]:
    """Slug → title of every quiz the content files below `root` define.

    A file that does not read is left out here; `flask content check` reports it.
    """
    titles: dict[str, dict] = {}
    for path in sorted(Path(root).glob("courses/*/quiz.yaml")):
        for quiz in read_quiz_file(path, str(path), problems=[]):
            slug, title = quiz.data.get("slug"), quiz.data.get("title")
            if slug and isinstance(title, dict):
                titles[str(slug)] = dict(title)
    return titles
