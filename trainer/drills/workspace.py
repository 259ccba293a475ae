"""What the workspace shows at a moment: the customers, their chats, who is about to leave.

Read-only (GET renders it, the tick POST returns it as JSON after advancing the run); the
phases come from `runs.customer_phase`, so the page and the stored record agree.
"""

from datetime import datetime

from trainer.core.clock import utcnow
from trainer.core.i18n import pick
from trainer.drills.models import DrillRun
from trainer.drills.runs import (
    IMPATIENT,
    LEFT,
    UPCOMING,
    WAITING,
    WARN_BEFORE_LEAVING,
    customer_phase,
    first_replies,
    moments,
    persona_names,
)
from trainer.extensions import db
from trainer.roleplay.conversation import mood_label
from trainer.roleplay.models import ACTIVE, AGENT, RoleplaySession, RoleplayTurn


def _sessions(run: DrillRun) -> dict[int, RoleplaySession]:
    ids = [c.session_id for c in run.customers if c.session_id is not None]
    if not ids:
        return {}
    rows = db.session.scalars(
        db.select(RoleplaySession)
        .where(RoleplaySession.id.in_(ids))
        .options(db.joinedload(RoleplaySession.version))
    )
    return {s.id: s for s in rows}


def _turns(session_ids: list[int]) -> dict[int, list[RoleplayTurn]]:
    by_session: dict[int, list[RoleplayTurn]] = {i: [] for i in session_ids}
    if session_ids:
        rows = db.session.scalars(
            db.select(RoleplayTurn)
            .where(RoleplayTurn.session_id.in_(session_ids))
            .order_by(RoleplayTurn.session_id, RoleplayTurn.seq)
        )
        for turn in rows:
            by_session[turn.session_id].append(turn)
    return by_session


def _unread(turns: list[RoleplayTurn]) -> int:
    """Customer messages since the agent's last one."""
    count = 0
    for turn in reversed(turns):
        if turn.speaker == AGENT:
            break
        count += 1
    return count


def workspace_state(run: DrillRun, now: datetime | None = None) -> dict:
    """The run as plain data for the page and its script (no writes)."""
    now = now or utcnow()
    patience = run.version.spec["patience"]
    found = _sessions(run)
    turns = _turns(list(found))
    replied = first_replies(run)
    names = persona_names(
        {c.scenario_slug for c in run.customers if c.session_id is None and c.left_at is not None}
    )
    customers = []
    for customer in run.customers:
        session = found.get(customer.session_id)
        phase = customer_phase(customer, replied.get(customer.session_id), now, run)
        if phase == UPCOMING:
            continue
        times = moments(customer, patience)
        entry = {
            "position": customer.position,
            "phase": phase,
            "arrived_at": customer.arrives_at.isoformat(),
            "left": phase == LEFT,
            "leave_text": patience["leave"] if phase == LEFT else None,
        }
        if phase in (WAITING, IMPATIENT):
            to_leave = (times.leave - now).total_seconds()
            entry["about_to_leave"] = phase == IMPATIENT or to_leave <= WARN_BEFORE_LEAVING
            entry["leaves_in"] = max(0, round(to_leave))
        else:
            entry["about_to_leave"] = False
        if session is not None:
            spec = session.version.spec
            chat = turns.get(session.id, [])
            waiting_since = _waiting_since(chat)
            entry.update(
                session_id=session.id,
                name=spec["persona"]["name"],
                title=pick(spec["title"]),
                mood=mood_label(spec, session.mood),
                active=session.status == ACTIVE,
                end_reason=session.end_reason,
                unread=_unread(chat),
                waiting_since=waiting_since.isoformat() if waiting_since else None,
                turns=[
                    {
                        "seq": t.seq,
                        "speaker": t.speaker,
                        "text": t.text,
                        "at": t.created_at.isoformat(),
                    }
                    for t in chat
                ],
            )
        else:
            entry.update(
                session_id=None,
                name=names.get(customer.scenario_slug, f"#{customer.position}"),
                title="",
                mood=None,
                active=False,
                end_reason=None,
                unread=0,
                waiting_since=None,
                turns=[],
            )
        customers.append(entry)
    return {
        "run_id": run.id,
        "status": run.status,
        "now": now.isoformat(),
        "remaining": max(0, round((run.ends_at - now).total_seconds())),
        "upcoming": sum(1 for c in run.customers if c.arrives_at > now and c.left_at is None),
        "customers": customers,
    }


def _waiting_since(chat: list[RoleplayTurn]) -> datetime | None:
    """When the customer's first unanswered message came (None when it is the agent's turn)."""
    since = None
    for turn in reversed(chat):
        if turn.speaker == AGENT:
            break
        since = turn.created_at
    return since
