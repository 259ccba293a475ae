"""A role-play conversation: start, agent turns, streamed customer replies, end and grade.

The agent's turn is stamped and committed by the server *before* any engine runs, so a slow or
failing model can cost a reply, never the transcript. The customer's reply is stored only once
complete; the unique (session, seq) position keeps two concurrent replies from both landing.
"""

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.notifications import hooks as notification_hooks
from trainer.roleplay import limits
from trainer.roleplay.conversation import AGENT_ENDED, mood_label, react, replay
from trainer.roleplay.engines import (
    CONNECTION,
    MALFORMED,
    RATE_LIMIT,
    SERVER,
    TIMEOUT,
    EngineError,
    ReplyRequest,
    engine_name,
    get_engine,
)
from trainer.roleplay.limits import TurnRefused
from trainer.roleplay.models import (
    ACTIVE,
    AGENT,
    CUSTOMER,
    ENDED,
    GRADED,
    RoleplayGrade,
    RoleplaySession,
    RoleplayTurn,
    Scenario,
)
from trainer.roleplay.transcript import from_turns

log = logging.getLogger("trainer.roleplay")

__all__ = ["TurnRefused"]

# Messages the agent may send in a row while the customer has not answered (e.g. the model is
# down): enough to add a thought, not enough to fill the transcript while nobody answers.
MAX_UNANSWERED = 3


def start_session(user, scenario: Scenario, *, trial: bool = False) -> RoleplaySession:
    """Open a conversation on the scenario's current version; the customer speaks first."""
    version = scenario.current_version
    if version is None or not (scenario.published or trial):
        raise TurnRefused(_("This scenario is not available."), 404)
    spec = version.spec
    engine = get_engine(engine_name())
    now = utcnow()
    session = RoleplaySession(
        user_id=user.id,
        scenario=scenario,
        version=version,
        difficulty=spec["difficulty"],
        engine=engine.name,
        model=engine.model,
        trial=trial,
        status=ACTIVE,
        mood=spec["mood"]["start"],
        started_at=now,
    )
    db.session.add(session)
    db.session.flush()
    opening = RoleplayTurn(
        session_id=session.id,
        seq=0,
        speaker=CUSTOMER,
        text=spec["opening"],
        created_at=now,
        mood=spec["mood"]["start"],
    )
    db.session.add(opening)
    db.session.flush()
    return session


def session_turns(session: RoleplaySession) -> list[RoleplayTurn]:
    """The session's turns in order (one query)."""
    return list(
        db.session.scalars(
            db.select(RoleplayTurn)
            .where(RoleplayTurn.session_id == session.id)
            .order_by(RoleplayTurn.seq)
        )
    )


def _unanswered(session: RoleplaySession) -> int:
    """Agent turns since the customer's last message."""
    last_customer = db.session.scalar(
        db.select(db.func.max(RoleplayTurn.seq)).where(
            RoleplayTurn.session_id == session.id, RoleplayTurn.speaker == CUSTOMER
        )
    )
    return db.session.scalar(
        db.select(db.func.count(RoleplayTurn.id)).where(
            RoleplayTurn.session_id == session.id, RoleplayTurn.seq > (last_customer or 0)
        )
    )


def add_agent_turn(session: RoleplaySession, user, text: str) -> RoleplayTurn:
    """Store the agent's message with the server's time, after checking the caps."""
    now = utcnow()
    if session.status != ACTIVE:
        raise TurnRefused(_("This conversation has ended."), 409)
    text = limits.check_message(text)
    limits.check_turn_rate(user, now)
    if session.engine == "openai":
        limits.check_daily_tokens(user, now)
    last = db.session.scalar(
        db.select(RoleplayTurn)
        .where(RoleplayTurn.session_id == session.id)
        .order_by(RoleplayTurn.seq.desc())
        .limit(1)
    )
    if last.speaker == AGENT and _unanswered(session) >= MAX_UNANSWERED:
        raise TurnRefused(
            _("Wait for the customer's answer (or try again) before writing more."), 409
        )
    seconds = (now - last.created_at).total_seconds() if last.speaker == CUSTOMER else None
    turn = RoleplayTurn(
        session_id=session.id,
        seq=last.seq + 1,
        speaker=AGENT,
        text=text,
        created_at=now,
        response_seconds=max(0.0, seconds) if seconds is not None else None,
    )
    if session.first_response_seconds is None and turn.response_seconds is not None:
        session.first_response_seconds = turn.response_seconds
    db.session.add(turn)
    db.session.flush()
    return turn


@dataclass(frozen=True)
class ReplyJob:
    """A reply to produce, as plain data, so no database connection is held while it streams."""

    session_id: int
    engine: str
    request: ReplyRequest
    seq: int


def prepare_reply(session: RoleplaySession) -> ReplyJob | None:
    """The reply owed to the agent's unanswered turn(s), or None when nothing is pending."""
    if session.status != ACTIVE:
        return None
    turns = session_turns(session)
    spec = session.version.spec
    lines = from_turns(turns)
    state, pending, seconds = replay(spec, lines)
    if not pending:
        return None
    state, reaction = react(spec, state, pending, seconds)
    request = ReplyRequest(
        spec=spec,
        lines=lines,
        state=state,
        reaction=reaction,
        max_tokens=limits.cap("ROLEPLAY_MAX_REPLY_TOKENS"),
    )
    return ReplyJob(session.id, session.engine, request, turns[-1].seq + 1)


def engine_error_message(kind: str) -> str:
    """What the agent reads in the chat when the customer could not answer."""
    messages = {
        TIMEOUT: _("The customer did not answer in time (the AI model timed out)."),
        RATE_LIMIT: _("The AI service is busy right now (rate limit). Wait a moment."),
        SERVER: _("The AI service had an error."),
        CONNECTION: _("The connection to the AI service was lost."),
        MALFORMED: _("The AI model sent an answer that could not be used."),
    }
    return messages.get(kind, messages[SERVER]) + " " + _("Your message is saved; try again.")


def run_reply(job: ReplyJob) -> Iterator[dict]:
    """Stream the customer's reply as events: start, delta…, then done / error / superseded."""
    yield {"type": "start", "seq": job.seq}
    started = time.monotonic()
    stream = None
    try:
        stream = get_engine(job.engine).start(job.request)
        for piece in stream:
            yield {"type": "delta", "text": piece}
    except EngineError as error:
        log.warning(
            "customer reply failed: session=%s kind=%s %s", job.session_id, error.kind, error.detail
        )
        yield {"type": "error", "kind": error.kind, "message": engine_error_message(error.kind)}
        return
    except Exception:
        # A bug must not leave the agent staring at a half-written reply: say so, keep going.
        log.exception("customer reply crashed: session=%s", job.session_id)
        yield {"type": "error", "kind": SERVER, "message": engine_error_message(SERVER)}
        return
    finally:
        if stream is not None:
            stream.close()
    yield store_reply(job, stream.text, stream.tokens, time.monotonic() - started)


def store_reply(job: ReplyJob, text: str, tokens: int, model_seconds: float) -> dict:
    """Save the complete reply (and the ending it brings); the final event for the page."""
    state, reaction = job.request.state, job.request.reaction
    session = db.session.get(RoleplaySession, job.session_id)
    now = utcnow()
    db.session.add(
        RoleplayTurn(
            session_id=job.session_id,
            seq=job.seq,
            speaker=CUSTOMER,
            text=text,
            created_at=now,
            mood=state.mood,
            tokens=tokens,
            model_seconds=round(model_seconds, 3),
        )
    )
    session.mood = state.mood
    if reaction.end_reason and session.status == ACTIVE:
        session.status, session.end_reason, session.ended_at = ENDED, reaction.end_reason, now
    try:
        db.session.commit()
    except IntegrityError:
        # Another request answered (or the agent wrote again) first; that one wins.
        db.session.rollback()
        return {"type": "superseded"}
    return {
        "type": "done",
        "seq": job.seq,
        "text": text,
        "at": now.isoformat(),
        "mood": state.mood,
        "mood_label": mood_label(job.request.spec, state.mood),
        "ended": session.status != ACTIVE,
        "end_reason": session.end_reason,
        "model_seconds": round(model_seconds, 3),
    }


def end_session(session: RoleplaySession, reason: str = AGENT_ENDED) -> bool:
    """End the conversation. A session without a single agent turn is discarded (returns False)."""
    if session.status != ACTIVE:
        return True
    has_agent_turn = db.session.scalar(
        db.select(db.func.count(RoleplayTurn.id)).where(
            RoleplayTurn.session_id == session.id, RoleplayTurn.speaker == AGENT
        )
    )
    if not has_agent_turn:
        db.session.delete(session)
        db.session.flush()
        return False
    session.status, session.end_reason, session.ended_at = ENDED, reason, utcnow()
    db.session.flush()
    return True


def grade_session(session: RoleplaySession) -> RoleplayGrade:
    """Grade an ended session once (rules offline, judged items by the configured judge)."""
    from trainer.roleplay.grading import grade_transcript
    from trainer.roleplay.locale import message_locale

    if session.grade is not None:
        return session.grade
    if session.status == ACTIVE:
        raise TurnRefused(_("End the conversation before grading it."), 409)
    with message_locale("zh_CN"):
        result = grade_transcript(session.version.spec, from_turns(session_turns(session)))
    grade = RoleplayGrade(
        session_id=session.id,
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
    db.session.add(grade)
    session.grade = grade
    session.status = GRADED
    db.session.flush()
    notification_hooks.grade_ready(grade)  # issue 13: the agent is told the grade is ready
    return grade


def check_retry(session: RoleplaySession, user) -> None:
    """May the agent ask for the customer's reply again?"""
    if session.status != ACTIVE:
        raise TurnRefused(_("This conversation has ended."), 409)
    if session.engine == "openai":
        limits.check_daily_tokens(user, utcnow())
