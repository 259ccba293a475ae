"""The question bank: save (versioning), retire, search, and GIFT import/export."""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from trainer.core import audit
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.core.problems import Problem
from trainer.extensions import db
from trainer.quizzes.gift import GiftError, parse_gift, write_gift
from trainer.quizzes.models import Question, QuestionTag, QuestionVersion
from trainer.quizzes.spec import QuestionSpec, normalise_spec, validate_spec

DEFAULT_CATEGORY = "imported"
PAGE_SIZE = 25


class BankError(ValueError):
    """A user-facing reason a bank operation was refused."""


@dataclass
class ImportReport:
    """What an import did: counts per question type and per outcome, plus skip warnings."""

    by_type: Counter = field(default_factory=Counter)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[Problem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_type.values())


def question_spec(question: Question, version: QuestionVersion | None = None) -> QuestionSpec:
    """The spec of a question's current (or given) version, with its bank metadata."""
    version = version or question.current_version
    spec = version.spec()
    spec.category = question.category
    spec.idnumber = question.idnumber or ""
    spec.tags = question.tags
    spec.difficulty = question.difficulty or ""
    return spec


def get_by_idnumber(idnumber: str) -> Question | None:
    """The question with this ID number, if any."""
    return db.session.scalar(select(Question).where(Question.idnumber == idnumber))


def save_question(
    spec: QuestionSpec,
    *,
    question: Question | None = None,
    actor=None,
    source: str = "editor",
) -> tuple[Question, bool]:
    """Create a question or give it a new version when its content changed.

    Returns the question and whether a new version was written. Category, tags, difficulty and
    ID number are bank metadata: they change in place without a new version.
    """
    normalise_spec(spec)
    problems = validate_spec(spec)
    if problems:
        raise BankError(" ".join(problems))
    spec.category = spec.category or DEFAULT_CATEGORY
    if spec.idnumber:
        other = get_by_idnumber(spec.idnumber)
        if other is not None and (question is None or other.id != question.id):
            raise BankError(
                _("Another question already has the ID number %(id)s.", id=spec.idnumber)
            )
    created = question is None
    if created:
        question = Question(source=source, created_by_id=getattr(actor, "id", None))
        db.session.add(question)
    question.category = spec.category
    question.idnumber = spec.idnumber or None
    question.difficulty = spec.difficulty or None
    _set_tags(question, spec.tags)
    digest = spec.content_hash()
    current = question.current_version
    changed = current is None or current.content_hash != digest
    if changed:
        version = QuestionVersion(
            question=question,
            number=(current.number + 1) if current else 1,
            qtype=spec.qtype,
            title=spec.title,
            stem=spec.stem,
            data=spec.content(),
            content_hash=digest,
            created_by_id=getattr(actor, "id", None),
        )
        db.session.add(version)
        db.session.flush()
        question.current_version = version
    question.updated_at = utcnow()
    db.session.flush()
    if changed:
        action = "question.create" if created else "question.new_version"
        audit.record(actor, action, question, version=question.current_version.number)
    return question, changed


def _set_tags(question: Question, tags: list[str]) -> None:
    wanted = sorted(set(tags))
    if question.tags == wanted:
        return
    question.tag_rows = [
        next((row for row in question.tag_rows if row.tag == tag), None) or QuestionTag(tag=tag)
        for tag in wanted
    ]


def retire_question(question: Question, *, actor) -> None:
    """Take a question out of future draws; attempts that drew it keep it."""
    if question.retired_at is None:
        question.retired_at = utcnow()
        audit.record(actor, "question.retire", question)


def restore_question(question: Question, *, actor) -> None:
    """Put a retired question back into draws."""
    if question.retired_at is not None:
        question.retired_at = None
        audit.record(actor, "question.restore", question)


@dataclass
class SearchResult:
    """One page of questions and the total that matched."""

    items: list[Question]
    total: int
    page: int
    pages: int


def search_questions(
    *,
    text: str = "",
    category: str = "",
    qtype: str = "",
    tag: str = "",
    difficulty: str = "",
    status: str = "active",
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> SearchResult:
    """Questions matching the filters (title/text/ID search, category subtree), newest first."""
    query = select(Question).join(Question.current_version)
    if text:
        like = f"%{text.strip()}%"
        query = query.where(
            or_(
                QuestionVersion.title.ilike(like),
                QuestionVersion.stem.ilike(like),
                Question.idnumber.ilike(like),
            )
        )
    if category:
        query = query.where(
            or_(Question.category == category, Question.category.like(f"{category}/%"))
        )
    if qtype:
        query = query.where(QuestionVersion.qtype == qtype)
    if tag:
        query = query.where(Question.tag_rows.any(QuestionTag.tag == tag))
    if difficulty:
        query = query.where(Question.difficulty == difficulty)
    if status == "active":
        query = query.where(Question.retired_at.is_(None))
    elif status == "retired":
        query = query.where(Question.retired_at.is_not(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = db.session.scalars(
        query.options(selectinload(Question.tag_rows), contains_eager(Question.current_version))
        .order_by(Question.category, QuestionVersion.title, Question.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return SearchResult(list(items), total, page, pages)


def category_counts() -> list[tuple[str, int]]:
    """Every category path with its number of active questions."""
    rows = db.session.execute(
        select(Question.category, func.count(Question.id))
        .where(Question.retired_at.is_(None))
        .group_by(Question.category)
        .order_by(Question.category)
    ).all()
    return [(row[0], row[1]) for row in rows]


def all_tags() -> list[str]:
    """Every tag in use."""
    return list(db.session.scalars(select(QuestionTag.tag).distinct().order_by(QuestionTag.tag)))


def import_gift(
    text: str, *, category: str | None = None, actor=None, source: str = "import"
) -> ImportReport:
    """Import GIFT text whole or not at all; questions with a known ID number get a new version.

    Raises GiftError (line-numbered) for malformed text; the caller rolls back. (Large uploads
    are written by a job in batches instead: quizzes/bankimport.py.)
    """
    result = parse_gift(text, category=category.strip() if category else None)
    report = ImportReport(warnings=result.warnings)
    problems: list[Problem] = []
    for spec in result.questions:
        try:
            outcome = import_spec(spec, actor=actor, source=source)
        except BankError as error:
            problems.append(Problem.at(spec.line, str(error)))
            continue
        report.by_type[spec.qtype] += 1
        setattr(report, outcome, getattr(report, outcome) + 1)
    if problems:
        raise GiftError(problems)
    return report


def import_spec(spec: QuestionSpec, *, actor=None, source: str = "import") -> str:
    """Save one imported question (a new version when its ID number is known); its outcome:
    "created", "updated" or "unchanged". Raises BankError."""
    existing = get_by_idnumber(spec.idnumber) if spec.idnumber else None
    _question, changed = save_question(spec, question=existing, actor=actor, source=source)
    if existing is None:
        return "created"
    return "updated" if changed else "unchanged"


def questions_for_export(category: str = "") -> list[Question]:
    """Active questions of a category subtree (all when empty), in a stable order."""
    query = (
        select(Question)
        .join(Question.current_version)
        .options(selectinload(Question.tag_rows), selectinload(Question.current_version))
        .where(Question.retired_at.is_(None))
        .order_by(Question.category, QuestionVersion.title, Question.id)
    )
    if category:
        query = query.where(
            or_(Question.category == category, Question.category.like(f"{category}/%"))
        )
    return list(db.session.scalars(query))


def export_gift(category: str = "") -> str:
    """GIFT text of the active questions of a category subtree."""
    specs = [question_spec(q) for q in questions_for_export(category)]
    header = "Trainer question bank export" + (f": {category}" if category else "")
    return write_gift(specs, header=header)
