"""A drill run: customers arrive by the server's clock, wait, follow up, leave, or are served.

GET never writes: `customer_phase` derives where each customer stands from stored timestamps
and the clock. `advance_run` persists the same transitions (arrival → a role-play session whose
opening is dated at the arrival, the follow-up message, leaving, the drill's end) on the next
POST: the page's tick or the agent's message, whichever comes first. A late POST writes each
event with the time it happened, so the record does not depend on when the page asked.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.drills.models import FINISHED, RUNNING, DrillCustomer, DrillRun
from trainer.drills.spec import expand_arrivals
from trainer.extensions import db
from trainer.roleplay import catalog as scenarios
from trainer.roleplay import sessions
from trainer.roleplay.conversation import AGENT_ENDED, State
from trainer.roleplay.models import ACTIVE, AGENT, CUSTOMER, RoleplaySession, RoleplayTurn

ABANDONED = "abandoned"
UPCOMING, WAITING, IMPATIENT, LEFT, SERVED = "upcoming", "waiting", "impatient", "left", "served"
# Seconds before leaving from which the list highlights a customer (besides after a follow-up).
WARN_BEFORE_LEAVING = 15


class Superseded(RuntimeError):
    """Another request recorded the same transition first (the page's tick and a message)."""


def _claim(model, row_id: int, unset, **values) -> None:
    """Set `values` only if `unset` (a column) is still NULL in the database, else Superseded.

    Two requests advancing the same run (the tick and the agent's message) must not both open a
    customer's conversation or both record a departure; the loser rolls back and reads again."""
    done = db.session.execute(
        db.update(model).where(model.id == row_id, unset.is_(None)).values(**values)
    )
    if done.rowcount != 1:
        raise Superseded(f"{model.__tablename__} {row_id}")


class DrillRefused(ValueError):
    """A drill action that cannot happen; the message is in the user's language."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Moments:
    """A customer's patience as instants: follow-up and leaving (if still unanswered)."""

    follow_up: datetime
    leave: datetime


def moments(customer: DrillCustomer, patience: dict) -> Moments:
    """When this customer follows up and leaves if nobody answers first."""
    return Moments(
        customer.arrives_at + timedelta(seconds=patience["follow_up_after"]),
        customer.arrives_at + timedelta(seconds=patience["leave_after"]),
    )


def customer_phase(
    customer: DrillCustomer, first_reply_at: datetime | None, now: datetime, run: DrillRun
) -> str:
    """Where the customer stands at `now`: upcoming, waiting, impatient, left or served."""
    patience = run.version.spec["patience"]
    horizon = min(now, run.ends_at)
    if customer.left_at is not None:
        return LEFT
    if first_reply_at is not None:
        return SERVED
    if customer.arrives_at > horizon:
        return UPCOMING
    times = moments(customer, patience)
    if horizon >= times.leave or now >= run.ends_at:
        return LEFT
    return IMPATIENT if horizon >= times.follow_up else WAITING


def first_replies(run: DrillRun) -> dict[int, datetime]:
    """Session id → the agent's first reply time, for the run's sessions (one query)."""
    ids = [c.session_id for c in run.customers if c.session_id is not None]
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(RoleplayTurn.session_id, db.func.min(RoleplayTurn.created_at))
        .where(RoleplayTurn.session_id.in_(ids), RoleplayTurn.speaker == AGENT)
        .group_by(RoleplayTurn.session_id)
    )
    return {session_id: at for session_id, at in rows}


def active_run(user) -> DrillRun | None:
    """The agent's running drill, if any (one at a time)."""
    return db.session.scalar(
        db.select(DrillRun)
        .where(DrillRun.user_id == user.id, DrillRun.status == RUNNING)
        .order_by(DrillRun.id.desc())
        .limit(1)
    )


def start_run(user, drill, now: datetime | None = None) -> DrillRun:
    """Start the drill's current version for the agent; customers are scheduled from now."""
    if active_run(user) is not None:
        raise DrillRefused(_("Finish your running drill before starting another."))
    version = drill.current_version
    if version is None:
        raise DrillRefused(_("This drill is not available."), 404)
    spec = version.spec
    for slug in {a.scenario for a in expand_arrivals(spec)}:
        scenario = scenarios.get_scenario(slug)
        if scenario is None or scenario.current_version is None or not scenario.published:
            raise DrillRefused(_("Scenario %(slug)s of this drill is not available.", slug=slug))
    now = now or utcnow()
    run = DrillRun(
        user_id=user.id,
        drill=drill,
        version=version,
        status=RUNNING,
        started_at=now,
        ends_at=now + timedelta(seconds=spec["length"]),
    )
    run.customers = [
        DrillCustomer(
            position=n, scenario_slug=a.scenario, arrives_at=now + timedelta(seconds=a.at)
        )
        for n, a in enumerate(expand_arrivals(spec), start=1)
    ]
    db.session.add(run)
    db.session.flush()
    advance_run(run, now)
    return run


@dataclass(frozen=True)
class Advanced:
    """What `advance_run` did: whether it wrote anything (to commit), whether the run ended."""

    changed: bool
    finished: bool


def advance_run(run: DrillRun, now: datetime | None = None) -> Advanced:
    """Persist every transition due by `now` (nothing is written when nothing is due)."""
    if run.status != RUNNING:
        return Advanced(changed=False, finished=False)
    now = now or utcnow()
    horizon = min(now, run.ends_at)
    patience = run.version.spec["patience"]
    replied = first_replies(run)
    found = run_sessions(run)
    changed = False
    for customer in run.customers:
        if customer.left_at is not None or customer.arrives_at > horizon:
            continue
        if customer.session_id is None:
            found[customer.session_id] = _arrive(run, customer)
            changed = True
        if customer.session_id in replied:
            continue
        session = found[customer.session_id]
        times = moments(customer, patience)
        if customer.followed_up_at is None and times.follow_up <= horizon:
            _follow_up(session, customer, times.follow_up, patience)
            changed = True
        if times.leave <= horizon:
            _leave(customer, session, times.leave)
            changed = True
    if now >= run.ends_at or _all_done(run, found):
        finish_run(run, now)
        return Advanced(changed=True, finished=True)
    db.session.flush()
    return Advanced(changed=changed, finished=False)


def _arrive(run: DrillRun, customer: DrillCustomer) -> RoleplaySession:
    scenario = scenarios.get_scenario(customer.scenario_slug)
    session = sessions.start_session(run.user, scenario, at=customer.arrives_at)
    _claim(DrillCustomer, customer.id, DrillCustomer.session_id, session_id=session.id)
    customer.session_id = session.id
    return session


def run_sessions(run: DrillRun) -> dict[int, RoleplaySession]:
    """The run's role-play sessions by id (one query)."""
    ids = [c.session_id for c in run.customers if c.session_id is not None]
    if not ids:
        return {}
    rows = db.session.scalars(db.select(RoleplaySession).where(RoleplaySession.id.in_(ids)))
    return {s.id: s for s in rows}


def _follow_up(session, customer: DrillCustomer, at: datetime, patience: dict) -> None:
    """The customer writes again and loses mood (dated when it happened)."""
    last_seq = db.session.scalar(
        db.select(db.func.max(RoleplayTurn.seq)).where(RoleplayTurn.session_id == session.id)
    )
    mood = max(0, session.mood - patience["mood_drop"])
    db.session.add(
        RoleplayTurn(
            session_id=session.id,
            seq=(last_seq or 0) + 1,
            speaker=CUSTOMER,
            text=patience["follow_up"],
            created_at=at,
            mood=mood,
        )
    )
    session.mood = mood
    if session.state:
        state = State.from_json(session.state)
        session.state = replace(state, mood=mood).to_json()
    customer.followed_up_at = at
    db.session.flush()


def _leave(customer: DrillCustomer, session, at: datetime) -> None:
    """The customer leaves unanswered: reason abandoned; the empty role-play is discarded."""
    _claim(DrillCustomer, customer.id, DrillCustomer.left_at, left_at=at, session_id=None)
    customer.left_at = at
    customer.session_id = None
    if session is not None and session.status == ACTIVE:
        sessions.end_session(session)
    db.session.flush()


def _all_done(run: DrillRun, found: dict[int, RoleplaySession]) -> bool:
    """Every customer has arrived and left or finished the conversation."""
    for customer in run.customers:
        if customer.left_at is not None:
            continue
        if customer.session_id is None or found[customer.session_id].status == ACTIVE:
            return False
    return True


def finish_run(run: DrillRun, now: datetime | None = None) -> None:
    """End the drill: unanswered customers leave, open conversations end; grading follows."""
    if run.status != RUNNING:
        return
    now = min(now or utcnow(), run.ends_at)
    replied = first_replies(run)
    found = run_sessions(run)
    for customer in run.customers:
        if customer.left_at is not None or customer.session_id is None:
            continue
        session = found[customer.session_id]
        if customer.session_id not in replied:
            _leave(customer, session, now)
        elif session.status == ACTIVE:
            sessions.end_session(session, AGENT_ENDED)
            session.ended_at = now
    _claim(DrillRun, run.id, DrillRun.finished_at, status=FINISHED, finished_at=now)
    run.status, run.finished_at = FINISHED, now
    db.session.flush()


def sessions_to_grade(run: DrillRun) -> list[int]:
    """The run's ended conversations that have no grade yet."""
    from trainer.roleplay.models import ENDED

    ids = [c.session_id for c in run.customers if c.session_id is not None]
    if not ids:
        return []
    return list(
        db.session.scalars(
            db.select(RoleplaySession.id).where(
                RoleplaySession.id.in_(ids), RoleplaySession.status == ENDED
            )
        )
    )


def queue_grading(run: DrillRun) -> int:
    """Queue the role-play grading job ("roleplay.grade") of each ended conversation of the
    run; sent when the caller commits (keyed per session: queuing twice adds nothing). The
    number of conversations queued."""
    from trainer.roleplay import autograde

    ids = sessions_to_grade(run)
    for session_id in ids:
        autograde.queue(session_id)
    return len(ids)


def persona_names(slugs: set[str]) -> dict[str, str]:
    """Scenario slug → its customer's name (current version), for customers without a session."""
    from trainer.roleplay.models import Scenario

    if not slugs:
        return {}
    rows = db.session.scalars(
        db.select(Scenario)
        .where(Scenario.slug.in_(sorted(slugs)))
        .options(db.joinedload(Scenario.current_version))
    )
    return {s.slug: s.current_version.spec["persona"]["name"] for s in rows if s.current_version}
