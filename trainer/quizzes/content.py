"""`content check|sync` for the shipped banks (courses/*/questions.gift) and quizzes (quiz.yaml).

A shipped question's ID number is its `[id:…]` token, else `<course>/<title>`: the title is its
stable key. A sync adds a version only when the file's text of a question changed, so an edit a
trainer made in the browser survives until the file itself changes. Questions dropped from a
file are retired; quizzes dropped from a quiz.yaml are unpublished. See docs/quiz-format.md.
"""

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from trainer.core.i18n import cli_locale
from trainer.core.problems import Problem
from trainer.extensions import db
from trainer.quizzes import bank
from trainer.quizzes.draw import RandomRule
from trainer.quizzes.gift import GiftError, parse_gift
from trainer.quizzes.models import Question, Quiz
from trainer.quizzes.quizdefs import (
    get_quiz_by_slug,
    save_quiz,
    settings_of,
)
from trainer.quizzes.quizfile import quiz_settings, read_quiz_file
from trainer.quizzes.spec import QuestionSpec


@dataclass
class BankFile:
    """A parsed shipped bank."""

    course: str
    path: Path
    questions: list[QuestionSpec]


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def shipped_idnumber(course: str, spec: QuestionSpec) -> str:
    """The stable key of a shipped question."""
    return spec.idnumber or f"{course}/{spec.title}"


def _read_banks(root: Path, problems: list[Problem]) -> list[BankFile]:
    banks = []
    for path in sorted((root / "courses").glob("*/questions.gift")):
        shown = _display(path, root)
        try:
            result = parse_gift(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            problems.append(Problem(shown, 1, "not UTF-8 text"))
            continue
        except GiftError as error:
            problems.extend(Problem(shown, p.line, p.message) for p in error.problems)
            continue
        problems.extend(Problem(shown, w.line, w.message) for w in result.warnings)
        problems.extend(_quality(shown, result.questions))
        banks.append(BankFile(path.parent.name, path, result.questions))
    return banks


def _quality(shown: str, questions: list[QuestionSpec]) -> list[Problem]:
    """House rules for shipped banks: a category, unique titles, feedback that explains."""
    problems = []
    titles = [q.title for q in questions]
    for spec in questions:
        if titles.count(spec.title) > 1:
            problems.append(Problem(shown, spec.line, f"title used twice: {spec.title}"))
        if not spec.category:
            problems.append(Problem(shown, spec.line, "no $CATEGORY before this question"))
        if not spec.general_feedback:
            problems.append(Problem(shown, spec.line, "no general feedback (####)"))
        if any(not c.feedback for c in spec.choices):
            problems.append(Problem(shown, spec.line, "an option has no feedback (#)"))
    return problems


def _matches(rule: dict, course: str, spec: QuestionSpec) -> bool:
    random_rule = RandomRule(1, rule["category"], rule["tag"], rule["difficulty"])
    in_category = not random_rule.category or (
        spec.category == random_rule.category
        or spec.category.startswith(random_rule.category + "/")
    )
    return (
        in_category
        and (not random_rule.tag or random_rule.tag in spec.tags)
        and (not random_rule.difficulty or random_rule.difficulty == spec.difficulty)
    )


def check_quizzes(root: Path) -> list[Problem]:
    """Every problem in the shipped banks and quiz definitions (messages in CLI_LOCALE)."""
    with cli_locale():
        return _check_quizzes(root)


def _check_quizzes(root: Path) -> list[Problem]:
    problems: list[Problem] = []
    banks = _read_banks(root, problems)
    keyed = {shipped_idnumber(b.course, q): q for b in banks for q in b.questions}
    index = {key: n for n, key in enumerate(keyed, start=1)}
    slugs: dict[str, str] = {}
    for path in sorted((root / "courses").glob("*/quiz.yaml")):
        course, shown = path.parent.name, _display(path, root)

        def resolve(ref: str, course: str = course) -> int | None:
            return index.get(ref) or index.get(f"{course}/{ref}")

        for entry in read_quiz_file(path, shown, problems):
            settings = quiz_settings(entry, course, resolve, shown, problems)
            if settings is None:
                continue
            line = entry.line()
            if settings.slug in slugs:
                problems.append(Problem(shown, line, f"slug also used in {slugs[settings.slug]}"))
            slugs[settings.slug] = shown
            taken = {q for r in settings.draw_rules if r["type"] == "fixed" for q in r["questions"]}
            for rule in (r for r in settings.draw_rules if r["type"] == "random"):
                pool = [i for key, i in index.items() if _matches(rule, course, keyed[key])]
                pool = [i for i in pool if i not in taken]
                if len(pool) < rule["count"]:
                    problems.append(
                        Problem(
                            shown,
                            line,
                            f"rule needs {rule['count']} questions from "
                            f"'{rule['category'] or '*'}' but the banks have {len(pool)}",
                        )
                    )
                taken |= set(pool[: rule["count"]])
    return problems


def sync_quizzes(root: Path) -> dict[str, int]:
    """Load banks and quizzes idempotently (the CLI checked them first and commits)."""
    with cli_locale():
        return _sync_quizzes(root)


def _sync_quizzes(root: Path) -> dict[str, int]:
    counts = {"questions": 0, "new_versions": 0, "retired": 0, "quizzes": 0, "quizzes_changed": 0}
    problems: list[Problem] = []
    for shipped in _read_banks(root, problems):
        _sync_bank(shipped, counts)
    for path in sorted((root / "courses").glob("*/quiz.yaml")):
        _sync_quiz_file(path, root, counts)
    return counts


def _sync_bank(shipped: BankFile, counts: dict[str, int]) -> None:
    source = f"content:{shipped.course}"
    existing = {
        q.idnumber: q
        for q in db.session.scalars(
            select(Question)
            .where(Question.source == source)
            .options(db.selectinload(Question.tag_rows), db.joinedload(Question.current_version))
        )
    }
    seen = set()
    for spec in shipped.questions:
        spec.idnumber = shipped_idnumber(shipped.course, spec)
        seen.add(spec.idnumber)
        question = existing.get(spec.idnumber) or bank.get_by_idnumber(spec.idnumber)
        digest = _file_hash(spec)
        counts["questions"] += 1
        if question is not None and question.synced_hash == digest and not question.retired:
            continue
        question, changed = bank.save_question(spec, question=question, source=source)
        question.source = source
        question.synced_hash = digest
        question.retired_at = None
        counts["new_versions"] += int(changed)
    for idnumber, question in existing.items():
        if idnumber not in seen and not question.retired:
            bank.retire_question(question, actor=None)
            counts["retired"] += 1
    db.session.flush()


def _file_hash(spec: QuestionSpec) -> str:
    """What the file says about a question, metadata included."""
    import hashlib

    meta = f"{spec.category}|{','.join(sorted(spec.tags))}|{spec.difficulty}"
    return hashlib.sha256((spec.content_hash() + meta).encode()).hexdigest()


def _sync_quiz_file(path: Path, root: Path, counts: dict[str, int]) -> None:
    course, shown = path.parent.name, _display(path, root)
    problems: list[Problem] = []

    def resolve(ref: str) -> int | None:
        question = bank.get_by_idnumber(ref) or bank.get_by_idnumber(f"{course}/{ref}")
        return question.id if question else None

    present = set()
    for entry in read_quiz_file(path, shown, problems):
        settings = quiz_settings(entry, course, resolve, shown, problems)
        if settings is None:
            raise ValueError("; ".join(str(p) for p in problems))
        present.add(settings.slug)
        counts["quizzes"] += 1
        quiz = get_quiz_by_slug(settings.slug)
        if quiz is not None and settings_of(quiz) == settings:
            continue
        save_quiz(settings, quiz=quiz, source="content")
        counts["quizzes_changed"] += 1
    stale = db.session.scalars(
        select(Quiz).where(
            Quiz.source == "content", Quiz.course_slug == course, Quiz.published.is_(True)
        )
    )
    for quiz in stale:
        if quiz.slug not in present:
            quiz.published = False
