"""Draw rules: which questions an attempt gets.

A quiz's `draw_rules` is a list of
- `{"type": "random", "count": N, "category": "a/b", "tag": "", "difficulty": ""}`: N random
  active questions from the category subtree (and tag / difficulty, when given);
- `{"type": "fixed", "questions": [question ids]}`: these questions, in this order.
Rules are applied in order and never draw the same question twice.
"""

import functools
import random
from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select

from trainer.core.i18n import _, label
from trainer.extensions import db
from trainer.quizzes.categories import category_name
from trainer.quizzes.forms import DIFFICULTY_LABELS
from trainer.quizzes.models import Question, QuestionTag, QuestionVersion


class DrawError(ValueError):
    """The quiz cannot draw its questions (too few in the bank, a rule is malformed)."""


@dataclass(frozen=True)
class RandomRule:
    """N random questions from a category subtree, optionally one tag / one difficulty."""

    count: int
    category: str = ""
    tag: str = ""
    difficulty: str = ""


@dataclass(frozen=True)
class FixedRule:
    """These questions, in order."""

    question_ids: tuple[int, ...]


def parse_rules(raw: list) -> list[RandomRule | FixedRule]:
    """Typed rules from the stored JSON; raises DrawError for anything malformed."""
    rules: list[RandomRule | FixedRule] = []
    if not isinstance(raw, list):
        raise DrawError(_("Draw rules must be a list."))
    for item in raw:
        if not isinstance(item, dict):
            raise DrawError(_("A draw rule is malformed."))
        if item.get("type") == "random":
            count = item.get("count")
            if not isinstance(count, int) or count < 1:
                raise DrawError(_("A random rule needs a count of at least 1."))
            rules.append(
                RandomRule(
                    count=count,
                    category=str(item.get("category") or ""),
                    tag=str(item.get("tag") or ""),
                    difficulty=str(item.get("difficulty") or ""),
                )
            )
        elif item.get("type") == "fixed":
            ids = item.get("questions")
            if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
                raise DrawError(_("A fixed rule needs a list of questions."))
            rules.append(FixedRule(tuple(ids)))
        else:
            raise DrawError(_("A draw rule is malformed."))
    if not rules:
        raise DrawError(_("The quiz has no draw rules."))
    return rules


def rule_to_json(rule: RandomRule | FixedRule) -> dict:
    """The stored form of a rule."""
    if isinstance(rule, FixedRule):
        return {"type": "fixed", "questions": list(rule.question_ids)}
    return {
        "type": "random",
        "count": rule.count,
        "category": rule.category,
        "tag": rule.tag,
        "difficulty": rule.difficulty,
    }


@functools.lru_cache(maxsize=256)
def _candidates_query(rule: RandomRule):
    """The ids a rule may draw, in id order; built once per rule (building the statement costs
    more than running it)."""
    query = select(Question.id).where(
        Question.retired_at.is_(None), Question.current_version_id.is_not(None)
    )
    if rule.category:
        query = query.where(
            or_(Question.category == rule.category, Question.category.like(f"{rule.category}/%"))
        )
    if rule.tag:
        query = query.where(Question.tag_rows.any(QuestionTag.tag == rule.tag))
    if rule.difficulty:
        query = query.where(Question.difficulty == rule.difficulty)
    return query.order_by(Question.id)


def candidate_ids(rule: RandomRule) -> list[int]:
    """Ids of the active questions a random rule may draw."""
    return list(db.session.scalars(_candidates_query(rule)))


def check_rules(rules: list[RandomRule | FixedRule]) -> list[str]:
    """Problems that would stop an attempt from drawing (for the quiz editor and sync)."""
    problems = []
    taken: set[int] = set()
    for rule in rules:
        if isinstance(rule, FixedRule):
            found = set(
                db.session.scalars(
                    select(Question.id).where(
                        Question.id.in_(rule.question_ids), Question.retired_at.is_(None)
                    )
                )
            )
            missing = [i for i in rule.question_ids if i not in found]
            if missing:
                problems.append(
                    _(
                        "Fixed questions missing or retired: %(ids)s",
                        ids=", ".join(map(str, missing)),
                    )
                )
            taken |= found
    for rule in rules:
        if isinstance(rule, RandomRule):
            available = [i for i in candidate_ids(rule) if i not in taken]
            if len(available) < rule.count:
                problems.append(
                    _(
                        "The rule “%(rule)s” needs %(count)d questions; only %(n)d are available.",
                        rule=describe_rule(rule),
                        count=rule.count,
                        n=len(available),
                    )
                )
            taken |= set(available[: rule.count])
    return problems


def describe_rule(rule: RandomRule | FixedRule) -> str:
    """A rule in words."""
    if isinstance(rule, FixedRule):
        return _("%(n)d fixed questions", n=len(rule.question_ids))
    parts = [category_name(rule.category) or _("all categories")]
    if rule.tag:
        parts.append(_("tag %(tag)s", tag=rule.tag))
    if rule.difficulty:
        parts.append(label(DIFFICULTY_LABELS, rule.difficulty))
    return _("%(count)d random from %(where)s", count=rule.count, where=", ".join(parts))


@functools.cache
def _active_statement():
    """The ids among `ids` of questions not retired."""
    return select(Question.id).where(
        Question.id.in_(bindparam("ids", expanding=True)), Question.retired_at.is_(None)
    )


def draw_question_ids(raw_rules: list, rng: random.Random) -> list[int]:
    """The ids of the questions for a new attempt, in order; raises DrawError when the bank
    cannot fill a rule."""
    rules = parse_rules(raw_rules)
    chosen: list[int] = []
    for rule in rules:
        if isinstance(rule, FixedRule):
            ids = list(rule.question_ids)
            active = set(db.session.scalars(_active_statement(), {"ids": ids}))
            chosen += [i for i in rule.question_ids if i in active and i not in chosen]
            continue
        available = [i for i in candidate_ids(rule) if i not in chosen]
        if len(available) < rule.count:
            raise DrawError(
                _("This quiz cannot be started: the question bank has too few questions.")
            )
        chosen += rng.sample(available, rule.count)
    if not chosen:
        raise DrawError(_("This quiz cannot be started: the question bank has too few questions."))
    return chosen


@functools.cache
def _current_versions_statement():
    """(question id, current version id, its content) for the questions `ids`."""
    return (
        select(Question.id, QuestionVersion.id, QuestionVersion.data)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(Question.id.in_(bindparam("ids", expanding=True)))
    )


def draw_versions(raw_rules: list, rng: random.Random) -> list[tuple[int, dict]]:
    """The current versions (id, content) of the questions for a new attempt, in order, read
    as plain rows; raises DrawError when the bank cannot fill a rule."""
    chosen = draw_question_ids(raw_rules, rng)
    rows = db.session.execute(_current_versions_statement(), {"ids": chosen}).all()
    versions = {question_id: (version_id, data) for question_id, version_id, data in rows}
    return [versions[i] for i in chosen]


def draw_questions(raw_rules: list, rng: random.Random) -> list[Question]:
    """The questions for a new attempt (with their current versions); raises DrawError when
    the bank cannot fill a rule."""
    chosen = draw_question_ids(raw_rules, rng)
    questions = {
        q.id: q
        for q in db.session.scalars(
            select(Question)
            .where(Question.id.in_(chosen))
            .options(db.joinedload(Question.current_version))
        )
    }
    return [questions[i] for i in chosen]
