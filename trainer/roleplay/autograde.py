"""Grade an ended session without holding the database: claim, read, judge, store.

The judge (an LLM call may take many seconds) runs with no transaction and no connection held:
a short transaction claims the session (status "grading", a conditional UPDATE, so two graders
never both grade it), a second one stores the grade if the claim still holds. A grader that dies
leaves a claim that another may take over after ROLEPLAY_GRADING_LEASE seconds.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, update
from sqlalchemy.exc import IntegrityError

from trainer.core import events
from trainer.core.clock import utcnow
from trainer.core.i18n import message_locale
from trainer.extensions import db
from trainer.notifications import hooks as notification_hooks
from trainer.roleplay import budget
from trainer.roleplay.grading import Grade, grade_transcript
from trainer.roleplay.judge import judge_mode
from trainer.roleplay.models import (
    ENDED,
    GRADED,
    GRADING,
    RoleplayGrade,
    RoleplaySession,
    RoleplayTurn,
)
from trainer.roleplay.transcript import Line, from_turns

log = logging.getLogger("trainer.roleplay")


@dataclass(frozen=True)
class GradingJob:
    """What grading needs, as plain data: no database object survives into the judge call."""

    session_id: int
    claimed_at: datetime
    spec: dict
    lines: list[Line]


def _lines(session_id: int) -> list[Line]:
    turns = db.session.scalars(
        db.select(RoleplayTurn)
        .where(RoleplayTurn.session_id == session_id)
        .order_by(RoleplayTurn.seq)
    )
    return from_turns(list(turns))


def claim(session_id: int) -> GradingJob | None:
    """Claim an ended (or abandoned) session and read it; commits. None when not claimable."""
    now = utcnow()
    stale = now - timedelta(seconds=int(current_app.config.get("ROLEPLAY_GRADING_LEASE", 600)))
    claimable = or_(
        RoleplaySession.status == ENDED,
        and_(RoleplaySession.status == GRADING, RoleplaySession.grading_claimed_at < stale),
    )
    taken = db.session.execute(
        update(RoleplaySession)
        .where(RoleplaySession.id == session_id, claimable)
        .values(status=GRADING, grading_claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        db.session.rollback()
        return None
    session = db.session.get(RoleplaySession, session_id)
    job = GradingJob(session_id, now, session.version.spec, _lines(session_id))
    db.session.commit()
    return job


def grade_row(session_id: int, result: Grade) -> RoleplayGrade:
    """The stored form of a grade."""
    return RoleplayGrade(
        session_id=session_id,
        items=result.items,
        flags=result.flags,
        judge=result.judge,
        judge_model=result.judge_model,
        tokens=result.tokens,
        auto_total=result.total,
        auto_passed=result.passed,
        auto_critical_failed=result.critical_failed,
        total=result.total,
        passed=result.passed,
        critical_failed=result.critical_failed,
        flagged=bool(result.flags),
        graded_at=utcnow(),
    )


def _mine(job: GradingJob):
    return and_(
        RoleplaySession.id == job.session_id,
        RoleplaySession.status == GRADING,
        RoleplaySession.grading_claimed_at == job.claimed_at,
    )


def store(job: GradingJob, result: Grade) -> bool:
    """Store the grade in one short transaction if the claim still holds (exactly once)."""
    done = db.session.execute(
        update(RoleplaySession)
        .where(_mine(job))
        .values(status=GRADED, grading_claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.rollback()
        return False
    row = grade_row(job.session_id, result)
    db.session.add(row)
    try:
        db.session.flush()
        notification_hooks.grade_ready(row)  # sent by a job once this commits
        events.roleplay_graded.send(grade=row, session_id=job.session_id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def release(job: GradingJob) -> None:
    """Give the claim back (the grader failed): the session may be graded again at once."""
    db.session.rollback()
    db.session.execute(
        update(RoleplaySession)
        .where(_mine(job))
        .values(status=ENDED, grading_claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def run(job: GradingJob) -> Grade:
    """Grade the transcript (rules offline, judged items by the configured judge); no database
    transaction open (model calls are charged to the agent's AI budget)."""
    with message_locale("zh_CN"), budget.paying_for_session(job.session_id):
        return grade_transcript(job.spec, job.lines)


def quick() -> bool:
    """True when no LLM judges: grading takes milliseconds and may follow the end at once."""
    return judge_mode() != "llm"


def finish(job: GradingJob) -> bool:
    """Judge with nothing held (the session is closed first), then store; True if stored.

    Objects loaded before are detached: load what the caller still needs before this."""
    db.session.close()
    try:
        result = run(job)
    except Exception:
        log.exception("grading crashed: session=%s", job.session_id)
        release(job)
        raise
    stored = store(job, result)
    if not stored:
        log.info("grade not stored, another grader's claim holds: session=%s", job.session_id)
    return stored


def status(session_id: int) -> str:
    """The session's status ("active", "ended", "grading", "graded") or "missing"."""
    found = db.session.scalar(
        db.select(RoleplaySession.status).where(RoleplaySession.id == session_id)
    )
    db.session.rollback()
    return found or "missing"


def grade(session_id: int) -> str:
    """Claim, grade with no transaction open, store; the session's status afterwards
    ("graded", or "grading" while another grader holds it)."""
    job = claim(session_id)
    if job is not None:
        finish(job)
    return status(session_id)


def grade_offline(session: RoleplaySession) -> RoleplayGrade:
    """Grade a session inside the caller's transaction with the offline judge (no LLM call):
    generated demo and bench data."""
    with message_locale("zh_CN"):
        result = grade_transcript(session.version.spec, _lines(session.id), judge="offline")
    row = grade_row(session.id, result)
    db.session.add(row)
    session.grade, session.status = row, GRADED
    db.session.flush()
    return row
