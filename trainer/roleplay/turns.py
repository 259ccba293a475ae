"""The customer's reply to the agent's turn(s): prepare from the stored state, stream, store.

Turn cost does not grow with the conversation: the state is read from the session (not replayed
from the transcript), the pending agent turns and a bounded window of recent turns come from one
query, and the new state is stored with the reply in the same commit. The customer's reply is
stored only once complete; the unique (session, seq) position keeps two concurrent replies from
both landing (the loser's state change is rolled back with it).
"""

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app
from sqlalchemy.exc import IntegrityError

from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.roleplay import budget, limits, sessions
from trainer.roleplay.conversation import State, mood_label, react, replay
from trainer.roleplay.engines import (
    CONNECTION,
    MALFORMED,
    RATE_LIMIT,
    SERVER,
    TIMEOUT,
    EngineError,
    ReplyRequest,
    get_engine,
)
from trainer.roleplay.limits import TurnRefused
from trainer.roleplay.models import ACTIVE, AGENT, CUSTOMER, ENDED, RoleplaySession, RoleplayTurn
from trainer.roleplay.transcript import from_turns

log = logging.getLogger("trainer.roleplay")

# Turns of context the LLM customer gets besides its state (the scripted one needs none).
DEFAULT_HISTORY_TURNS = 24


@dataclass(frozen=True)
class ReplyJob:
    """A reply to produce, as plain data, so no database connection is held while it streams."""

    session_id: int
    engine: str
    request: ReplyRequest
    seq: int


def stored_state(session: RoleplaySession, spec: dict) -> State:
    """The session's customer state; a session from before stored states is replayed once."""
    if session.state:
        return State.from_json(session.state)
    # Stored with the reply (store_reply), so this happens once per old session.
    log.info("replaying session %s once to store its customer state", session.id)
    return replay(spec, from_turns(session.turns))


def _window(engine: str) -> int:
    """Turns read for a reply: the model's context (the scripted customer reads only its
    state), at least the customer's last message and the agent's unanswered turns after it."""
    least = sessions.MAX_UNANSWERED + 1
    if engine != "openai":
        return least
    return max(int(current_app.config.get("ROLEPLAY_HISTORY_TURNS", DEFAULT_HISTORY_TURNS)), least)


def prepare_reply(
    session: RoleplaySession, turns: list[RoleplayTurn] | None = None
) -> ReplyJob | None:
    """The reply owed to the agent's unanswered turn(s), or None when nothing is pending.

    `turns` are the session's last turns in order (read here when not given)."""
    if session.status != ACTIVE:
        return None
    spec = session.version.spec
    if turns is None:
        turns = sessions.recent_turns(session, _window(session.engine))
    pending = []
    for turn in reversed(turns):
        if turn.speaker != AGENT:
            break
        pending.insert(0, turn)
    if not pending:
        return None
    state = stored_state(session, spec)
    seconds = pending[0].response_seconds
    state, reaction = react(spec, state, from_turns(pending), seconds)
    request = ReplyRequest(
        spec=spec,
        lines=from_turns(turns),
        state=state,
        reaction=reaction,
        max_tokens=limits.cap("ROLEPLAY_MAX_REPLY_TOKENS"),
        user_id=session.user_id,
    )
    return ReplyJob(session.id, session.engine, request, turns[-1].seq + 1)


def post_agent_message(session: RoleplaySession, user, text: str) -> tuple[dict, ReplyJob | None]:
    """Store and commit the agent's message; the "saved" event that acknowledges it and the
    reply it is owed.

    One read of the recent turns serves the caps and the reply; the reply is prepared (the
    offline reading of the turn, the customer's new state: no model call) before the turn is
    written, so the write transaction stays short. Raises TurnRefused (nothing stored) when the
    turn is not allowed or another message took the same place at the same moment."""
    window = _window(session.engine)
    try:
        recent = sessions.recent_turns(session, window)
        turn = sessions.new_agent_turn(session, user, text, recent)
        job = prepare_reply(session, [*recent, turn][-window:])
        sessions.store_agent_turn(session, turn)
        saved = {"type": "saved", "seq": turn.seq, "at": turn.created_at.isoformat()}
        db.session.commit()
    except TurnRefused:
        db.session.rollback()
        raise
    except IntegrityError as error:
        db.session.rollback()
        raise TurnRefused(
            _("Another message was sent at the same moment. Try again."), 409
        ) from error
    return saved, job


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


def _engine_within_budget(job: ReplyJob):
    """The engine to answer with and its budget reservation: a model whose call the day's AI
    budget covers, else the scripted customer (the budget ran out between check and reply)."""
    engine = get_engine(job.engine)
    if not hasattr(engine, "cost_bound"):
        return engine, None
    try:
        return engine, budget.reserve(job.request.user_id, engine.cost_bound(job.request))
    except budget.BudgetSpent as spent:
        log.info("AI budget spent (%s): session=%s answered by script", spent.scope, job.session_id)
        return get_engine("scripted"), None


def run_reply(job: ReplyJob) -> Iterator[dict]:
    """Stream the customer's reply as events: start, delta…, then done / error / superseded."""
    yield {"type": "start", "seq": job.seq}
    started = time.monotonic()
    stream, reservation = None, None
    try:
        engine, reservation = _engine_within_budget(job)
        if reservation is None and engine.name != job.engine:
            notice = _("Today's AI budget is spent: the customer answers from the script.")
            yield {"type": "notice", "message": notice}
        stream = engine.start(job.request)
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
        if reservation is not None:
            # The reply's real usage; a failed or abandoned reply releases what it held.
            budget.settle(reservation, getattr(stream, "reply_tokens", 0))
    yield store_reply(job, stream.text, stream.tokens, time.monotonic() - started)


def store_reply(job: ReplyJob, text: str, tokens: int, model_seconds: float) -> dict:
    """Save the complete reply, the new state and the ending it brings; the page's last event.

    Written with plain statements (the reply row, the session's state, its status read back):
    nothing is loaded first."""
    state, reaction = job.request.state, job.request.reaction
    now = utcnow()
    sessions_table = RoleplaySession.__table__
    try:
        db.session.execute(
            db.insert(RoleplayTurn.__table__).values(
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
    except IntegrityError:
        # Another request answered (or the agent wrote again) first; that one wins.
        db.session.rollback()
        return {"type": "superseded"}
    this_session = sessions_table.c.id == job.session_id
    if reaction.end_reason:
        ended = db.session.execute(
            db.update(sessions_table)
            .where(this_session, sessions_table.c.status == ACTIVE)
            .values(status=ENDED, end_reason=reaction.end_reason, ended_at=now)
        )
        if ended.rowcount == 1:
            sessions.queue_grading(job.session_id)
    status, end_reason = db.session.execute(
        db.update(sessions_table)
        .where(this_session)
        .values(mood=state.mood, state=state.to_json())
        .returning(sessions_table.c.status, sessions_table.c.end_reason)
    ).one()
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return {"type": "superseded"}
    return {
        "type": "done",
        "seq": job.seq,
        "text": text,
        "at": now.isoformat(),
        "mood": state.mood,
        "mood_label": mood_label(job.request.spec, state.mood),
        "ended": status != ACTIVE,
        "end_reason": end_reason,
        "model_seconds": round(model_seconds, 3),
    }
