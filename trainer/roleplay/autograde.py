"""Grade an ended session without holding the database: claim, read, judge, store.

The judge (an LLM call may take many seconds) runs with no transaction and no connection held:
a short transaction claims the session (status "grading", a conditional UPDATE, so two graders
never both grade it), a second one stores the grade if the claim still holds. A grader that dies
leaves a claim that another may take over after ROLEPLAY_GRADING_LEASE seconds.

With an LLM judge, grading is the job "roleplay.grade" (trainer/roleplay/jobs.py), queued when
the session ends and keyed by the session: `queue()` here, `grade_in_job()` in the worker,
`progress()` for the page that waits. With the offline judge (milliseconds) the request that
ends the session grades it at once (`grade()`).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, update
from sqlalchemy.exc import IntegrityError

from trainer.core import audit, events, jobs
from trainer.core.clock import utcnow
from trainer.core.i18n import message_locale
from trainer.core.jobmodels import FAILED, QUEUED, RUNNING
from trainer.extensions import db
from trainer.notifications import hooks as notification_hooks
from trainer.roleplay import budget, llm
from trainer.roleplay.grading import Grade, grade_transcript
from trainer.roleplay.judge import judge_mode
from trainer.roleplay.models import (
    ACTIVE,
    ENDED,
    GRADED,
    GRADING,
    RoleplayGrade,
    RoleplaySession,
    RoleplayTurn,
)
from trainer.roleplay.transcript import Line, from_turns

log = logging.getLogger("trainer.roleplay")

GRADE_JOB = "roleplay.grade"
# Judge failures worth another try later (the last try stores the offline fallback instead).
TRANSIENT = frozenset({llm.TIMEOUT, llm.RATE_LIMIT, llm.SERVER, llm.CONNECTION})


class JudgeUnavailable(Exception):
    """The LLM judge failed in a way that may pass; the job is retried with back-off."""


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


def claim(session_id: int, *, take_over: bool = False) -> GradingJob | None:
    """Claim an ended (or abandoned) session and read it; commits. None when not claimable.

    `take_over` also takes a fresh claim: the grading job holds its ledger row exclusively, so a
    claim it finds was left by an earlier try of the same job whose worker died (a try that is
    only slow loses at `store()`, its claim no longer matching)."""
    now = utcnow()
    stale = now - timedelta(seconds=int(current_app.config.get("ROLEPLAY_GRADING_LEASE", 600)))
    held = RoleplaySession.status == GRADING
    claimable = or_(
        RoleplaySession.status == ENDED,
        held if take_over else and_(held, RoleplaySession.grading_claimed_at < stale),
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
        audit.record(
            None,
            "roleplay.grade",
            row,
            after={"total": row.total, "passed": row.passed, "judge": row.judge},
        )
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


def job_key(session_id: int) -> str:
    """The grading job's idempotency key: one job per session."""
    return f"{GRADE_JOB}:{session_id}"


def queue(session_id: int) -> None:
    """Queue the grading job of an ended session (once per session: a second call, a double
    click, finds the job there); sent when the caller commits. A job that failed for good is
    queued once more."""
    jobs.enqueue(GRADE_JOB, session_id, key=job_key(session_id))
    jobs.retry_failed(job_key(session_id))


def _transient_failure(result: Grade) -> str | None:
    for flag in result.flags:
        if flag.get("code") == "judge_unavailable" and flag.get("kind") in TRANSIENT:
            return flag["kind"]
    return None


def grade_in_job(session_id: int) -> bool:
    """The grading job's body: claim, judge with nothing held, store once; True if stored.

    A judge that is down, slow or rate-limited makes the job fail and Huey retry it with
    back-off; on the last try (or at once when jobs run inline, without a worker) the offline
    fallback grade is stored, so a session always ends graded."""
    job = claim(session_id, take_over=True)
    if job is None:
        return False  # graded already (a second delivery), still active, or gone
    db.session.close()
    try:
        result = run(job)
    except Exception:
        log.exception("grading crashed: session=%s", job.session_id)
        release(job)
        raise
    attempt = jobs.current_attempt()
    kind = _transient_failure(result)
    # Inline jobs (no worker) have nobody to run a retry later: keep the fallback at once.
    retry = attempt is not None and not attempt.last and not jobs.huey.immediate
    if kind is not None and retry:
        release(job)
        raise JudgeUnavailable(f"judge unavailable ({kind}), try {attempt.number}")
    return store(job, result)


@dataclass(frozen=True)
class Progress:
    """Where grading of a session stands, for the page that waits for it.

    `state`: "active", "idle" (ended, nothing queued), "queued", "retrying" (a try failed, the
    next waits), "judging", "graded", "failed" or "missing"; `attempts` tries so far; `waiting`
    True when a queued job has not been taken by a worker for long (is a worker running?)."""

    state: str
    attempts: int = 0
    waiting: bool = False


def progress(session_id: int, now: datetime | None = None) -> Progress:
    """Where grading of `session_id` stands; reads only."""
    now = now or utcnow()
    status = db.session.scalar(
        db.select(RoleplaySession.status).where(RoleplaySession.id == session_id)
    )
    if status is None:
        return Progress("missing")
    if status in (GRADED, ACTIVE):
        return Progress(status)
    run = jobs.find(job_key(session_id))
    if status == GRADING:
        return Progress("judging", run.attempts if run else 0)
    if run is None:
        return Progress("idle")
    if run.status == FAILED:
        return Progress("failed", run.attempts)
    if run.status == RUNNING:
        return Progress("judging", run.attempts)
    if run.status == QUEUED and run.attempts:
        return Progress("retrying", run.attempts)
    waiting = run.status == QUEUED and run.updated_at < now - jobs.PICKUP_GRACE
    return Progress("queued", run.attempts, waiting)


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
