"""Autosave: one answer stored with a single guarded upsert in a short transaction.

The hottest request of an exam (every click of every agent), so it loads no ORM objects: one
small query checks ownership, state and deadline and fetches what validating the fields needs
(the slot's layout and question content); one INSERT … ON CONFLICT DO UPDATE stores the answer.

No lost answers: the check takes a shared lock on the attempt row (PostgreSQL), so a submit,
which locks it for update, waits for saves in flight and saves arriving later see it finished;
and the upsert itself only writes while the attempt is in progress (the guard that keeps SQLite,
where writers are serialised per statement, as safe).
"""

import functools
from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, and_, bindparam, exists, false, func, select
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


@functools.cache
def _check_statement():
    """Owner, state, deadline and the slot's version, layout and content in one query."""
    return (
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
            and_(
                AttemptAnswer.attempt_id == QuizAttempt.id, AttemptAnswer.slot == bindparam("slot")
            ),
        )
        .outerjoin(QuestionVersion, QuestionVersion.id == AttemptAnswer.version_id)
        .where(QuizAttempt.id == bindparam("attempt_id"))
        # FOR SHARE OF quiz_attempts: saves run side by side, a submit waits for them.
        .with_for_update(read=True, of=QuizAttempt)
    )


@functools.cache
def _upsert_statement(dialect: str):
    """INSERT … SELECT … WHERE the attempt is open, ON CONFLICT (attempt, slot) DO UPDATE.

    Built once per dialect (the statement itself is the costly part to construct); the values
    come as bound parameters.
    """
    table = AttemptAnswer.__table__
    still_open = exists().where(
        QuizAttempt.id == bindparam("attempt_id"), QuizAttempt.state == IN_PROGRESS
    )
    source = select(
        bindparam("attempt_id", type_=Integer),
        bindparam("slot", type_=Integer),
        bindparam("version_id", type_=Integer),
        bindparam("layout", type_=JSON),
        bindparam("response", type_=JSON),
        bindparam("saved_at", type_=UTCDateTime),
        func.coalesce(bindparam("flag", type_=Boolean), false()),
    ).where(still_open)
    columns = ["attempt_id", "slot", "version_id", "layout", "response", "saved_at", "flagged"]
    statement = INSERTS[dialect](table).from_select(columns, source)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.attempt_id, table.c.slot],
        set_={
            "response": statement.excluded.response,
            "saved_at": statement.excluded.saved_at,
            # A save that does not say (an older page) keeps the flag as it was.
            "flagged": func.coalesce(bindparam("flag", type_=Boolean), table.c.flagged),
        },
    )
    return statement.returning(table.c.id)


def save_answer(
    attempt_id: int,
    user_id: int,
    slot: int,
    fields: dict[str, list[str]],
    flagged: bool | None = None,
) -> datetime:
    """Store one slot's response (and flag, unless None) stamped with the server's receipt time.

    Raises AttemptMissing (not the user's attempt), AttemptClosed (submitted, or past deadline
    plus grace: an overdue attempt is finalised first and the caller commits that) and
    AttemptError for fields that do not fit the question.
    """
    now = utcnow()
    row = db.session.execute(
        _check_statement(), {"attempt_id": attempt_id, "slot": slot}
    ).one_or_none()
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
    values = {
        "attempt_id": attempt_id,
        "slot": slot,
        "version_id": row.version_id,
        "layout": row.layout,
        "response": response,
        "saved_at": now,
        "flag": flagged,
    }
    statement = _upsert_statement(db.session.get_bind().dialect.name)
    if db.session.execute(statement, values).first() is None:  # the attempt closed meanwhile
        raise AttemptClosed(_("This attempt has been submitted; answers can no longer change."))
    return now
