"""Taking a quiz: start, autosave, submit, time limits. The server owns time.

- The deadline is fixed when the attempt starts (time limit, capped by the quiz's close date).
- Every save is stamped with the server's receipt time and refused after deadline + grace.
- An attempt past deadline + grace is finalised with what was saved, on next access or by
  `flask quiz close-overdue`.
- Plain-form saves lock the attempt row, autosaves (quizzes.autosave) share-lock it and write
  only while it is in progress, and submit flips its state with a conditional UPDATE, so a
  double click, two tabs or a save racing a submit give exactly one grade that includes every
  acknowledged save (on PostgreSQL; SQLite serialises writers anyway).
- Start and submit do every read (and the draw, the marking) before their first write: on
  SQLite the write lock is held from the first write to the commit, so the write transaction
  is only the statements that store the result. Submit then checks, after its UPDATE, that
  no save landed since it read the answers, and regrades if one did. The features above read
  what they need for a submit before its first write too (`events.quiz_attempt_finishing`).
"""

import functools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from trainer.core import audit, events
from trainer.core.clock import utcnow
from trainer.core.i18n import _, format_datetime
from trainer.extensions import db
from trainer.quizzes.draw import DrawError, draw_versions
from trainer.quizzes.grading import grade_response
from trainer.quizzes.models import AttemptAnswer, Question, QuestionVersion, Quiz, QuizAttempt
from trainer.quizzes.models.attempt import FINISHED, IN_PROGRESS
from trainer.quizzes.responses import ResponseError, fields_to_response, make_layout
from trainer.quizzes.results import QuizResult, current_cycle
from trainer.quizzes.spec import spec_from_content

INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class AttemptError(ValueError):
    """A user-facing refusal; `status` is the HTTP status a JSON caller gets."""

    status = 400


class AttemptClosed(AttemptError):
    """The attempt no longer takes answers (submitted, or past deadline plus grace)."""

    status = 409


def grace() -> timedelta:
    """How long after the deadline saves are still accepted (Moodle's default: 60 s)."""
    return timedelta(seconds=int(current_app.config.get("QUIZ_GRACE_SECONDS", 60)))


@functools.cache
def _user_attempts_statement():
    """A user's attempts at a quiz, oldest first (built once, run with bound parameters)."""
    return (
        select(QuizAttempt)
        .where(
            QuizAttempt.quiz_id == bindparam("quiz_id"), QuizAttempt.user_id == bindparam("user_id")
        )
        .order_by(QuizAttempt.number)
    )


def user_attempts(quiz: Quiz, user) -> list[QuizAttempt]:
    """All of a user's attempts at a quiz, oldest first."""
    params = {"quiz_id": quiz.id, "user_id": user.id}
    return list(db.session.scalars(_user_attempts_statement(), params))


@functools.cache
def _history_statement(running_and_latest: bool):
    """The columns of a user's attempts at a quiz that eligibility reads, oldest first; with
    `running_and_latest`, only the attempts in progress and the latest one."""
    mine = and_(
        QuizAttempt.quiz_id == bindparam("quiz_id"), QuizAttempt.user_id == bindparam("user_id")
    )
    statement = (
        select(
            QuizAttempt.id,
            QuizAttempt.number,
            QuizAttempt.state,
            QuizAttempt.started_at,
            QuizAttempt.submitted_at,
            QuizAttempt.score,
        )
        .where(mine)
        .order_by(QuizAttempt.number)
    )
    if running_and_latest:
        latest = select(func.max(QuizAttempt.number)).where(mine).scalar_subquery()
        statement = statement.where(
            or_(QuizAttempt.state == IN_PROGRESS, QuizAttempt.number == latest)
        )
    return statement


def attempt_history(quiz: Quiz, user, *, running_and_latest: bool = False) -> list:
    """A user's attempts at a quiz as rows (id, number, state, started_at, submitted_at,
    score), oldest first, without an object per attempt; with `running_and_latest`, only the
    attempts in progress and the latest one."""
    params = {"quiz_id": quiz.id, "user_id": user.id}
    return list(db.session.execute(_history_statement(running_and_latest), params))


@dataclass
class Eligibility:
    """Whether the user may start (or continue) an attempt now, and why not."""

    can_start: bool
    reason: str = ""
    in_progress: QuizAttempt | None = None
    attempts_left: int | None = None  # None: unlimited
    result: QuizResult | None = None


def eligibility(quiz: Quiz, attempts: list, now: datetime) -> Eligibility:
    """Apply the quiz's open/close dates, attempt allowance and wait between attempts.

    `attempts`: the user's attempts at the quiz (`user_attempts`, or the rows of
    `attempt_history`; `in_progress` is then such a row)."""
    result, counted = current_cycle(quiz, attempts, now)
    running = next((a for a in attempts if a.state == IN_PROGRESS), None)
    left = None if not quiz.attempts_allowed else max(0, quiz.attempts_allowed - len(counted))
    status = Eligibility(False, "", running, left, result)
    if running is not None:
        status.can_start = True
        return status
    status.reason = refusal(quiz, counted, now)
    status.can_start = not status.reason
    return status


def refusal(quiz: Quiz, counted: list, now: datetime) -> str:
    """Why a new attempt may not start now ("" when it may): the quiz's open/close dates, the
    attempt allowance and the wait between attempts. `counted`: the attempts that count
    against the allowance now (`current_cycle`); only a quiz with an allowance or a wait reads
    them."""
    if not quiz.published:
        return _("This quiz is not published.")
    if quiz.opens_at and now < quiz.opens_at:
        return _("This quiz opens on %(when)s.", when=format_datetime(quiz.opens_at))
    if quiz.closes_at and now >= quiz.closes_at:
        return _("This quiz closed on %(when)s.", when=format_datetime(quiz.closes_at))
    if quiz.attempts_allowed and len(counted) >= quiz.attempts_allowed:
        return _("You have used all your attempts at this quiz.")
    finished = [a.submitted_at for a in counted if a.submitted_at is not None]
    if quiz.wait_minutes and finished:
        next_at = max(finished) + timedelta(minutes=quiz.wait_minutes)
        if now < next_at:
            return _("You can start your next attempt at %(when)s.", when=format_datetime(next_at))
    return ""


def deadline_for(quiz: Quiz, started_at: datetime) -> datetime | None:
    """The time limit from the start, capped by the quiz's close date."""
    ends = (
        [started_at + timedelta(minutes=quiz.time_limit_minutes)] if quiz.time_limit_minutes else []
    )
    if quiz.closes_at:
        ends.append(quiz.closes_at)
    return min(ends) if ends else None


@functools.cache
def _insert_attempt_statement(dialect: str):
    """INSERT the attempt … ON CONFLICT DO NOTHING RETURNING its columns, built once per
    dialect: a clash on (quiz, user, number) skips the row instead of failing the transaction."""
    table = QuizAttempt.__table__
    columns = ("quiz_id", "user_id", "number", "state", "started_at", "deadline_at")
    values = _bound(table, *columns)
    return INSERTS[dialect](table).values(values).on_conflict_do_nothing().returning(*table.c)


@functools.cache
def _insert_answers_statement():
    """INSERT one slot of an attempt (run as an executemany)."""
    return insert(AttemptAnswer.__table__)


def _as_loaded(row) -> QuizAttempt:
    """The attempt a RETURNING row holds every column of, made a persistent object of the
    session without SQL: a third of the CPU of an ORM-enabled RETURNING, which start spends
    holding SQLite's write lock."""
    attempt = QuizAttempt(**row._mapping)
    make_transient_to_detached(attempt)  # as if loaded: every column is set, nothing is new
    db.session.add(attempt)
    return attempt


def start_attempt(quiz: Quiz, user, *, rng: random.Random | None = None) -> QuizAttempt:
    """The user's running attempt, or a new one with its questions and option order drawn."""
    now = utcnow()
    # The allowance and the wait count the current cycle's attempts; without either, only the
    # running attempt and the latest one's number matter (an agent practising has hundreds).
    counting = bool(quiz.attempts_allowed or quiz.wait_minutes)
    attempts = attempt_history(quiz, user, running_and_latest=not counting)
    running_id = next((a.id for a in attempts if a.state == IN_PROGRESS), None)
    if running_id is not None:
        running = db.session.get(QuizAttempt, running_id)
        if running is None:  # removed since the read above
            raise AttemptError(_("Please try again."))
        if not finalise_if_overdue(running, now):
            return running
        # Finalised: it counts as the finished attempt it now is (state, score, submit time).
        attempts = [running if a.id == running_id else a for a in attempts]
    reason = refusal(quiz, current_cycle(quiz, attempts, now)[1] if counting else [], now)
    if reason:
        raise AttemptError(reason)
    rng = rng or random.Random()  # noqa: S311 - fairness, not secrecy
    try:
        versions = draw_versions(quiz.draw_rules, rng)
    except DrawError as error:
        raise AttemptError(str(error)) from error
    if quiz.shuffle_questions:
        rng.shuffle(versions)
    slots = [
        {
            "slot": slot,
            "version_id": version_id,
            "layout": make_layout(spec_from_content(content), quiz.shuffle_options, rng),
        }
        for slot, (version_id, content) in enumerate(versions)
    ]
    # Everything is read and drawn above: the write transaction is these three statements.
    values = {
        "quiz_id": quiz.id,
        "user_id": user.id,
        "number": max((a.number for a in attempts), default=0) + 1,
        "state": IN_PROGRESS,
        "started_at": now,
        "deadline_at": deadline_for(quiz, now),
    }
    statement = _insert_attempt_statement(db.session.get_bind().dialect.name)
    inserted = db.session.execute(statement, values).first()
    if inserted is None:
        # A second tab or double click took this attempt number at the same moment: use the
        # attempt it started. The clash skips the row instead of failing the transaction, so
        # no savepoint is needed (and an overdue attempt finalised above stays finalised).
        existing = db.session.scalar(
            select(QuizAttempt).where(
                QuizAttempt.quiz_id == quiz.id,
                QuizAttempt.user_id == user.id,
                QuizAttempt.state == IN_PROGRESS,
            )
        )
        if existing is None:
            raise AttemptError(_("Please try again."))
        return existing
    attempt = _as_loaded(inserted)
    if slots:
        # Every slot in one executemany, not one INSERT per question.
        rows = [{"attempt_id": attempt.id, **s} for s in slots]
        db.session.execute(_insert_answers_statement(), rows)
    audit.record(user, "quiz_attempt.start", attempt, quiz=quiz.slug)
    return attempt


def is_overdue(attempt: QuizAttempt, now: datetime) -> bool:
    """Past deadline plus grace (and still open)."""
    return (
        attempt.state == IN_PROGRESS
        and attempt.deadline_at is not None
        and now > attempt.deadline_at + grace()
    )


def finalise_if_overdue(attempt: QuizAttempt, now: datetime | None = None) -> bool:
    """Finish an overdue attempt with the answers saved so far; True if it was overdue."""
    now = now or utcnow()
    if not is_overdue(attempt, now):
        return False
    submit_attempt(attempt, by="timeout", at=attempt.deadline_at)
    return True


@functools.cache
def _lock_statement():
    """An attempt FOR UPDATE (built once, run with a bound id)."""
    return select(QuizAttempt).where(QuizAttempt.id == bindparam("attempt_id")).with_for_update()


def lock_attempt(attempt_id: int) -> QuizAttempt | None:
    """Load an attempt holding its row lock until commit (saves and submits queue up)."""
    return db.session.scalar(_lock_statement(), {"attempt_id": attempt_id})


def save_fields(
    attempt: QuizAttempt,
    fields_by_slot: dict[int, dict[str, list[str]]],
    flagged_slots: set[int] | None = None,
) -> datetime:
    """Store the responses (and, when given, the review flags) for some slots, stamped with the
    server's time of receipt.

    The attempt should be locked (`lock_attempt`). Raises AttemptClosed when it no longer takes
    answers (an overdue attempt is finalised first: the caller commits that), ResponseError
    (as AttemptError) for fields that do not fit the question.
    """
    now = utcnow()
    if attempt.state != IN_PROGRESS:
        raise AttemptClosed(_("This attempt has been submitted; answers can no longer change."))
    if finalise_if_overdue(attempt, now):
        raise AttemptClosed(
            _("Time is up: the answers saved before the deadline have been submitted.")
        )
    slots = sorted(fields_by_slot)
    answers = db.session.scalars(
        select(AttemptAnswer)
        .where(AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.slot.in_(slots))
        .options(selectinload(AttemptAnswer.version))
    ).all()
    by_slot = {a.slot: a for a in answers}
    for slot in slots:
        answer = by_slot.get(slot)
        if answer is None:
            raise AttemptError(_("This question is not part of the attempt."))
        try:
            response = fields_to_response(
                answer.version.spec(), answer.layout, slot, fields_by_slot[slot]
            )
        except ResponseError as error:
            raise AttemptError(str(error)) from error
        answer.response = response
        answer.saved_at = now
        if flagged_slots is not None:
            answer.flagged = slot in flagged_slots
    db.session.flush()
    return now


def submit_attempt(attempt: QuizAttempt, *, by: str = "agent", at: datetime | None = None) -> bool:
    """Finish and grade the attempt exactly once; False if it was already finished.

    The answers are read and marked before the first write, so the write transaction (SQLite's
    one write lock) holds only the statements that store the result: one conditional UPDATE
    that finishes the attempt with its score, a check that no save landed between the read and
    that UPDATE (regraded if one did), the slots' fractions in one executemany and the audit
    (then what the receivers of `quiz_attempt_finishing`, asked before the first write, write).
    """
    finished_at = at or utcnow()
    attempt_id = attempt.id
    sheet = _read_answer_sheet(attempt_id)
    marks = mark_sheet(sheet)
    finishing = events.quiz_attempt_finishing.send(
        attempt=attempt, user_id=attempt.user_id, categories=sheet.categories
    )
    finish = {"attempt_id": attempt_id, "submitted_at": finished_at, "finished_by": by}
    result = db.session.execute(_finish_statement(), {**finish, **marks.result})
    if result.rowcount != 1:
        db.session.expire(attempt)
        return False
    # Without a row lock (SQLite, or an overdue attempt finalised on the way) a save may have
    # been committed after the read above and before the UPDATE: grade what is stored now.
    stored = dict(db.session.execute(_responses_statement(), {"attempt_id": attempt_id}).all())
    if any(stored.get(a.id) != a.response for a in sheet.answers):
        sheet = sheet.with_responses(stored)
        marks = mark_sheet(sheet)
        db.session.execute(_rescore_statement(), {"attempt_id": attempt_id, **marks.result})
    _store_fractions(marks)
    for key, value in (
        ("state", FINISHED),
        ("submitted_at", finished_at),
        ("finished_by", by),
        ("score", marks.score),
        ("passed", marks.passed),
    ):
        set_committed_value(attempt, key, value)
    audit.record(None, "quiz_attempt.finish", attempt, by=by, score=marks.score)
    for _receiver, then in finishing:
        if then is not None:
            then()
    events.quiz_attempt_finished.send(attempt=attempt, user_id=attempt.user_id)
    return True


def _bound(table, *columns: str) -> dict:
    """Bound parameters named and typed after `columns` of `table`."""
    return {c: bindparam(c, type_=table.c[c].type) for c in columns}


@functools.cache
def _finish_statement():
    """UPDATE the attempt to finished with its result, only while it is in progress."""
    table = QuizAttempt.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("attempt_id"), table.c.state == IN_PROGRESS)
        .values(state=FINISHED, **_bound(table, "submitted_at", "finished_by", "score", "passed"))
    )


@functools.cache
def _rescore_statement():
    """UPDATE the attempt's score and pass."""
    table = QuizAttempt.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("attempt_id"))
        .values(**_bound(table, "score", "passed"))
    )


@functools.cache
def _responses_statement():
    """(answer id, response) of every slot of an attempt."""
    return select(AttemptAnswer.id, AttemptAnswer.response).where(
        AttemptAnswer.attempt_id == bindparam("attempt_id")
    )


@functools.cache
def _sheet_statement():
    """The pass mark and every slot's id, response, version content and question category, in
    slot order."""
    return (
        select(
            Quiz.pass_mark,
            AttemptAnswer.id,
            AttemptAnswer.response,
            QuestionVersion.data,
            Question.category,
        )
        .select_from(QuizAttempt)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .outerjoin(AttemptAnswer, AttemptAnswer.attempt_id == QuizAttempt.id)
        .outerjoin(QuestionVersion, QuestionVersion.id == AttemptAnswer.version_id)
        .outerjoin(Question, Question.id == QuestionVersion.question_id)
        .where(QuizAttempt.id == bindparam("attempt_id"))
        .order_by(AttemptAnswer.slot)
    )


@functools.cache
def _fractions_statement():
    """UPDATE one slot's fraction (run as an executemany)."""
    table = AttemptAnswer.__table__
    statement = update(table).where(table.c.id == bindparam("answer_id"))
    return statement.values(_bound(table, "fraction"))


@dataclass(frozen=True)
class SheetAnswer:
    """One slot as grading needs it: the answer row, its response and the version drawn."""

    id: int
    response: dict | None
    content: dict


@dataclass(frozen=True)
class AnswerSheet:
    """An attempt's answers with their versions' content, the quiz's pass mark and the bank
    categories of the questions drawn."""

    pass_mark: float
    answers: tuple[SheetAnswer, ...]
    categories: frozenset[str] = frozenset()

    def with_responses(self, responses: dict[int, dict | None]) -> "AnswerSheet":
        """The same sheet with the responses given per answer id."""
        answers = tuple(
            SheetAnswer(a.id, responses.get(a.id, a.response), a.content) for a in self.answers
        )
        return AnswerSheet(self.pass_mark, answers, self.categories)


@dataclass(frozen=True)
class Marks:
    """The result of marking a sheet: each answer's fraction, the score (0-100) and pass."""

    fractions: dict[int, float]
    score: float
    passed: bool

    @property
    def result(self) -> dict:
        """The attempt's columns this sets."""
        return {"score": self.score, "passed": self.passed}


def _read_answer_sheet(attempt_id: int) -> AnswerSheet:
    """The attempt's answers, their versions' content, the pass mark and the questions'
    categories in one query."""
    rows = db.session.execute(_sheet_statement(), {"attempt_id": attempt_id}).all()
    answers = tuple(SheetAnswer(r.id, r.response, r.data) for r in rows if r.id is not None)
    categories = frozenset(r.category for r in rows if r.category is not None)
    return AnswerSheet(rows[0].pass_mark if rows else 0, answers, categories)


def mark_sheet(sheet: AnswerSheet) -> Marks:
    """Mark every slot against the version it drew; the score is the mean fraction × 100."""
    fractions = {}
    total = 0.0
    for answer in sheet.answers:
        grade = grade_response(spec_from_content(answer.content), answer.response)
        fractions[answer.id] = round(grade.fraction, 6)
        total += grade.fraction
    score = max(total, 0.0) / len(sheet.answers) * 100 if sheet.answers else 0.0
    score = round(score, 2)
    return Marks(fractions, score, score >= sheet.pass_mark)


def _store_fractions(marks: Marks) -> None:
    """Every slot's fraction in one executemany; answers already loaded are kept in step."""
    if not marks.fractions:
        return
    rows = [{"answer_id": i, "fraction": f} for i, f in marks.fractions.items()]
    db.session.execute(_fractions_statement(), rows)
    for answer_id, fraction in marks.fractions.items():
        loaded = db.session.identity_map.get(db.session.identity_key(AttemptAnswer, answer_id))
        if loaded is not None:
            set_committed_value(loaded, "fraction", fraction)


def grade_attempt(attempt: QuizAttempt) -> None:
    """Mark every slot against the version it drew and set the score (0-100) and pass."""
    db.session.flush()
    marks = mark_sheet(_read_answer_sheet(attempt.id))
    _store_fractions(marks)
    attempt.score = marks.score
    attempt.passed = marks.passed
    db.session.flush()


def close_overdue(now: datetime | None = None) -> int:
    """Finalise every attempt past deadline plus grace; returns how many (for a scheduler)."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(QuizAttempt.id).where(
            QuizAttempt.state == IN_PROGRESS,
            QuizAttempt.deadline_at.is_not(None),
            QuizAttempt.deadline_at < now - grace(),
        )
    ).all()
    closed = 0
    for attempt_id in ids:
        attempt = lock_attempt(attempt_id)
        if attempt is not None and attempt.state == IN_PROGRESS:
            closed += submit_attempt(attempt, by="scheduler", at=attempt.deadline_at)
    return closed
