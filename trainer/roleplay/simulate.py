"""Play a whole scripted conversation with given agent turns and times (demo data, bench data).

It runs the same state machine and scripted replies as a live chat, so the stored session is
indistinguishable from one an agent typed, and grades it the same way.
"""

from datetime import datetime, timedelta

from trainer.extensions import db
from trainer.roleplay.autograde import grade_offline
from trainer.roleplay.conversation import AGENT_ENDED, initial_state, react
from trainer.roleplay.customer.replies import scripted_reply
from trainer.roleplay.models import AGENT, CUSTOMER, ENDED, RoleplaySession, RoleplayTurn, Scenario
from trainer.roleplay.transcript import Line


def simulate_session(
    user,
    scenario: Scenario,
    agent_texts: list[str],
    *,
    started_at: datetime,
    reply_seconds: float = 18,
    customer_seconds: float = 4,
    grade: bool = True,
) -> RoleplaySession:
    """Store a finished (and graded offline) scripted session of `user` on the scenario's
    current version."""
    version = scenario.current_version
    spec = version.spec
    session = RoleplaySession(
        user_id=user.id,
        scenario=scenario,
        version=version,
        difficulty=spec["difficulty"],
        engine="scripted",
        status=ENDED,
        mood=spec["mood"]["start"],
        started_at=started_at,
    )
    db.session.add(session)
    db.session.flush()
    now = started_at
    lines = [Line(0, CUSTOMER, spec["opening"], now)]
    turns = [
        RoleplayTurn(
            session_id=session.id,
            seq=0,
            speaker=CUSTOMER,
            text=spec["opening"],
            created_at=now,
            mood=spec["mood"]["start"],
        )
    ]
    state = initial_state(spec)
    end_reason = None
    for text in agent_texts:
        now += timedelta(seconds=reply_seconds)
        agent = Line(len(lines), AGENT, text, now)
        lines.append(agent)
        turns.append(
            RoleplayTurn(
                session_id=session.id,
                seq=agent.seq,
                speaker=AGENT,
                text=text,
                created_at=now,
                response_seconds=reply_seconds,
            )
        )
        state, reaction = react(spec, state, [agent], reply_seconds)
        now += timedelta(seconds=customer_seconds)
        reply = scripted_reply(spec, reaction)
        lines.append(Line(len(lines), CUSTOMER, reply, now))
        turns.append(
            RoleplayTurn(
                session_id=session.id,
                seq=len(lines) - 1,
                speaker=CUSTOMER,
                text=reply,
                created_at=now,
                mood=state.mood,
                model_seconds=0.0,
            )
        )
        if reaction.end_reason:
            end_reason = reaction.end_reason
            break
    db.session.add_all(turns)
    session.mood = state.mood
    session.state = state.to_json()
    session.first_response_seconds = reply_seconds if agent_texts else None
    session.end_reason = end_reason or AGENT_ENDED
    session.ended_at = now
    db.session.flush()
    if grade:
        grade_offline(session)  # the offline judge: no LLM call inside this transaction
    return session
