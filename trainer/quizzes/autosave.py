"""Autosave: one answer stored with a single guarded upsert in a short transaction.

The hottest request of an exam (every click of every agent), so it loads no ORM objects: one
small query checks ownership, state and deadline and fetches what validating the fields needs
(the slot's layout and question content); one INSERT … ON CONFLICT DO UPDATE stores the answer.

No lost answers: the check takes a shared lock on the attempt row (PostgreSQL), so a submit,
which locks it for update, waits for saves in flight and saves arriving later see it finished;
and the upsert itself only writes while the attempt is in progress (the guard that keeps SQLite,
where writers are serialised per statement, as safe).
"""

from datetime import datetime

from sqlalchemy import JSON, and_, exists, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.quizzes.attempts import (
    AttemptClosed,
    AttemptError,
    finalise_if_overdue,
    grace,
    lock_attempt,
)
from trainer.quizzes.models import AttemptAnswer, QuestionVersion, QuizAttempt
from trainer.quizzes.models.attempt import IN_PROGRESS
from trainer.quizzes.responses import ResponseError, fields_to_response
from trainer.quizzes.spec import spec_from_content

INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class AttemptMissing(LookupError):
    """No such attempt for this user (someone else's attempts do not exist for them)."""


def _check(attempt_id: int, slot: int):
    """Owner, state, deadline and the slot's version, layout and content in one query."""
    query = (
        select(
            QuizAttempt.user_id,
            QuizAttempt.state,
            QuizAttempt.deadline_at,
            AttemptAnswer.version_id,
            AttemptAnswer.layout,
            QuestionVersion.data,
        )
        .select_from(QuizAttempt)
        .outerjoin(
            AttemptAnswer,
            and_(AttemptAnswer.attempt_id == QuizAttempt.id, AttemptAnswer.slot == slot),
        )
        .outerjoin(QuestionVersion, QuestionVersion.id == AttemptAnswer.version_id)
        .where(QuizAttempt.id == attempt_id)
        # FOR SHARE OF quiz_attempts: saves run side by side, a submit waits for them.
        .with_for_update(read=True, of=QuizAttempt)
    )
    return db.session.execute(query).one_or_none()


def _upsert(attempt_id: int, slot: int, version_id: int, layout: dict, response, now: datetime):
    """Store the response and its receipt time if the attempt is still open; False if not."""
    insert = INSERTS[db.session.get_bind().dialect.name]
    table = AttemptAnswer.__table__
    still_open = exists().where(QuizAttempt.id == attempt_id, QuizAttempt.state == IN_PROGRESS)
    source = select(
        literal(attempt_id),
        literal(slot),
        literal(version_id),
        literal(layout, JSON),
        literal(response, JSON),
        literal(now, UTCDateTime),
    ).where(still_open)
    columns = ["attempt_id", "slot", "version_id", "layout", "response", "saved_at"]
    statement = insert(table).from_select(columns, source)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.attempt_id, table.c.slot],
        set_={"response": statement.excluded.response, "saved_at": statement.excluded.saved_at},
    )
    return db.session.execute(statement.returning(table.c.id)).first() is not None


def save_answer(attempt_id: int, user_id: int, slot: int, fields: dict[str, list[str]]) -> datetime:
    """Store one slot's response stamped with the server's receipt time; returns that time.

    Raises AttemptMissing (not the user's attempt), AttemptClosed (submitted, or past deadline
    plus grace: an overdue attempt is finalised first and the caller commits that) and
    AttemptError for fields that do not fit the question.
    """
    now = utcnow()
    row = _check(attempt_id, slot)
    if row is None or row.user_id != user_id:
        raise AttemptMissing(attempt_id)
    if row.state != IN_PROGRESS:
        raise AttemptClosed(_("This attempt has been submitted; answers can no longer change."))
    if row.deadline_at is not None and now > row.deadline_at + grace():
        db.session.rollback()  # let go of the shared lock before taking the row for update
        attempt = lock_attempt(attempt_id)
        if attempt is not None:
            finalise_if_overdue(attempt, now)
        raise AttemptClosed(
            _("Time is up: the answers saved before the deadline have been submitted.")
        )
    if row.version_id is None:
        raise AttemptError(_("This question is not part of the attempt."))
    try:
        response = fields_to_response(spec_from_content(row.data), row.layout, slot, fields)
    except ResponseError as error:
        raise AttemptError(str(error)) from error
    if not _upsert(attempt_id, slot, row.version_id, row.layout, response, now):
        raise AttemptClosed(_("This attempt has been submitted; answers can no longer change."))
    return now
