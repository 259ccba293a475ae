"""A role-play conversation: start, agent turns, end and grade (the replies are in turns.py).

The agent's turn is stamped and committed by the server *before* any engine runs, so a slow or
failing model can cost a reply, never the transcript.
"""

from datetime import datetime

from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.roleplay import limits
from trainer.roleplay.conversation import AGENT_ENDED, initial_state
from trainer.roleplay.engines import engine_name, get_engine
from trainer.roleplay.limits import TurnRefused
from trainer.roleplay.models import (
    ACTIVE,
    AGENT,
    CUSTOMER,
    ENDED,
    RoleplaySession,
    RoleplayTurn,
    Scenario,
    ScenarioVersion,
)

__all__ = ["TurnRefused"]

# Messages the agent may send in a row while the customer has not answered (e.g. the model is
# down): enough to add a thought, not enough to fill the transcript while nobody answers.
MAX_UNANSWERED = 3


def start_session(
    user,
    scenario: Scenario,
    *,
    trial: bool = False,
    version: ScenarioVersion | None = None,
    at: datetime | None = None,
) -> RoleplaySession:
    """Open a conversation on the scenario's current version (or, for a trial, the `version`
    given, e.g. a draft); the customer speaks first.

    `at` backdates the opening to when the customer arrived (a drill opens the session on the
    first request after the arrival, and the wait counts from the arrival)."""
    version = version if trial and version is not None else scenario.current_version
    if version is None or not (scenario.published or trial):
        raise TurnRefused(_("This scenario is not available."), 404)
    spec = version.spec
    engine = get_engine(engine_name())
    now = at or utcnow()
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
        state=initial_state(spec).to_json(),
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


def recent_turns(session: RoleplaySession, count: int) -> list[RoleplayTurn]:
    """The session's last `count` turns in order (one query, whatever the transcript's length)."""
    rows = db.session.scalars(
        db.select(RoleplayTurn)
        .where(RoleplayTurn.session_id == session.id)
        .order_by(RoleplayTurn.seq.desc())
        .limit(count)
    )
    return list(reversed(list(rows)))


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


def new_agent_turn(
    session: RoleplaySession, user, text: str, recent: list[RoleplayTurn] | None = None
) -> RoleplayTurn:
    """The agent's message as a turn stamped with the server's time, after checking the caps;
    not added yet (`store_agent_turn` adds it).

    `recent` is the session's last turns in order (at least 4, read here when not given)."""
    now = utcnow()
    if session.status != ACTIVE:
        raise TurnRefused(_("This conversation has ended."), 409)
    text = limits.check_message(text)
    limits.check_turn_rate(user, now)
    if session.engine == "openai":
        limits.check_daily_tokens(user, now)
    newest_first = list(reversed(recent if recent is not None else recent_turns(session, 4)))
    last = newest_first[0]
    if last.speaker == AGENT and _unanswered(session) >= MAX_UNANSWERED:
        raise TurnRefused(
            _("Wait for the customer's answer (or try again) before writing more."), 409
        )
    # The wait counts from the first unanswered customer message (a drill customer who waited
    # may have written twice), as transcript.reply_times measures it.
    waiting = None
    for turn in newest_first[:4]:
        if turn.speaker != CUSTOMER:
            break
        waiting = turn
    seconds = (now - waiting.created_at).total_seconds() if waiting is not None else None
    return RoleplayTurn(
        session_id=session.id,
        seq=last.seq + 1,
        speaker=AGENT,
        text=text,
        created_at=now,
        response_seconds=max(0.0, seconds) if seconds is not None else None,
    )


def store_agent_turn(session: RoleplaySession, turn: RoleplayTurn) -> RoleplayTurn:
    """Add the agent's turn (and the session's first response time) and flush."""
    if session.first_response_seconds is None and turn.response_seconds is not None:
        session.first_response_seconds = turn.response_seconds
    db.session.add(turn)
    db.session.flush()
    return turn


def add_agent_turn(session: RoleplaySession, user, text: str) -> RoleplayTurn:
    """Store the agent's message with the server's time, after checking the caps."""
    return store_agent_turn(session, new_agent_turn(session, user, text))


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
    queue_grading(session.id)
    return True


def queue_grading(session_id: int) -> None:
    """An LLM judge grades in the worker: queue the job with the caller's transaction. (The
    offline judge takes milliseconds; the request that ends the session grades at once.)"""
    from trainer.roleplay import autograde

    if not autograde.quick():
        autograde.queue(session_id)


def grade_session(session_id: int, before_judging=None) -> str:
    """Grade an ended session with no transaction open during the judge; its status after.

    `before_judging` runs once the session is claimed, before the database session closes (a
    view loads the signed-in user there)."""
    from trainer.roleplay import autograde

    job = autograde.claim(session_id)
    if before_judging is not None:
        before_judging()
    if job is not None:
        autograde.finish(job)
    return autograde.status(session_id)


def check_retry(session: RoleplaySession, user) -> None:
    """May the agent ask for the customer's reply again?"""
    if session.status != ACTIVE:
        raise TurnRefused(_("This conversation has ended."), 409)
    if session.engine == "openai":
        limits.check_daily_tokens(user, utcnow())
