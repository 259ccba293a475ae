"""AI token budgets that hold under concurrency: reserve before every model call, settle after.

Two budgets apply to a call, per organisation calendar day: the user's own
(ROLEPLAY_DAILY_TOKENS) and the organisation's (set by an admin on /admin/ai-server, else
ROLEPLAY_ORG_DAILY_TOKENS; 0 = no organisation limit). A call without a user (the CLI's
`roleplay grade`) draws on the organisation's budget only.

`reserve` takes an upper estimate of the call's tokens from every budget in one short
transaction of its own: per budget a conditional UPDATE that refuses when reserved + used +
estimate would pass the limit, so parallel calls in many sessions and workers can never
together overshoot it (correct on SQLite, whose writers queue, and on PostgreSQL, which
re-checks the condition on the locked row). `settle` replaces the reservation with the tokens
really used — also when the answer was discarded — and an error releases it. No transaction
is open during the model call itself.
"""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from trainer.core import clock
from trainer.extensions import db
from trainer.roleplay import llm
from trainer.roleplay.models import AIBudgetDay, AIBudgetLimit, RoleplaySession

__all__ = ["AIBudgetLimit", "BudgetSpent", "Reservation", "reserve", "settle", "spend"]

ORG = "org"
BUDGET = "budget"  # the LLMError kind of a refused reservation
# Tokens a chat message costs besides its text (role, separators).
MESSAGE_OVERHEAD = 4

_payer: contextvars.ContextVar[int | None] = contextvars.ContextVar("ai_payer", default=None)


class BudgetSpent(llm.LLMError):
    """The call would pass a daily budget (`scope`: "org" or "user:<id>"); nothing was reserved."""

    def __init__(self, scope: str) -> None:
        super().__init__(BUDGET, f"daily budget spent: {scope}")
        self.scope = scope


@dataclass
class Reservation:
    """Tokens held for one model call; set `used` to the real usage before it is settled."""

    scopes: tuple[str, ...]
    day: date
    estimate: int
    used: int = 0
    settled: bool = field(default=False, repr=False)


def user_scope(user_id: int) -> str:
    """The budget name of one user."""
    return f"user:{user_id}"


def estimate_tokens(messages: list[dict], max_tokens: int) -> int:
    """An upper estimate of a call: one token per character of the prompt (Chinese text is at
    most about one a character; other text fewer), an overhead per message, plus the answer's
    `max_tokens`."""
    prompt = sum(len(str(m.get("content") or "")) + MESSAGE_OVERHEAD for m in messages)
    return prompt + max_tokens


def user_limit() -> int:
    """Tokens one user may spend a day."""
    return int(current_app.config.get("ROLEPLAY_DAILY_TOKENS", 60_000))


def _org_limit(conn: Connection) -> int:
    set_by_admin = conn.scalar(select(AIBudgetLimit.daily_tokens).where(AIBudgetLimit.scope == ORG))
    if set_by_admin is not None:
        return int(set_by_admin)
    return int(current_app.config.get("ROLEPLAY_ORG_DAILY_TOKENS", 0))


def org_limit() -> int:
    """The organisation's daily tokens in force (0: no organisation limit)."""
    with db.engine.connect() as conn:
        return _org_limit(conn)


def _limits(conn: Connection, user_id: int | None) -> list[tuple[str, int]]:
    """(budget, limit) pairs in a fixed order (user first), so two calls never wait crosswise."""
    pairs = [(user_scope(user_id), user_limit())] if user_id is not None else []
    return [*pairs, (ORG, _org_limit(conn))]


def _ensure_row(conn: Connection, scope: str, day: date) -> None:
    insert = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}[conn.dialect.name]
    conn.execute(
        insert(AIBudgetDay)
        .values(scope=scope, day=day, reserved=0, used=0, calls=0, refused=0)
        .on_conflict_do_nothing(index_elements=["scope", "day"])
    )


def _row(scope: str, day: date):
    return (AIBudgetDay.scope == scope) & (AIBudgetDay.day == day)


def reserve(user_id: int | None, estimate: int) -> Reservation:
    """Hold `estimate` tokens in every budget of the call, or raise BudgetSpent (holding none)."""
    day = clock.today()
    estimate = max(0, int(estimate))
    with db.engine.connect() as conn:
        limits = _limits(conn, user_id)
        refused_by = None
        for scope, limit in limits:
            _ensure_row(conn, scope, day)
            fits = AIBudgetDay.reserved + AIBudgetDay.used + estimate <= limit
            condition = _row(scope, day) & fits if limit > 0 else _row(scope, day)
            taken = conn.execute(
                update(AIBudgetDay)
                .where(condition)
                .values(reserved=AIBudgetDay.reserved + estimate, calls=AIBudgetDay.calls + 1)
            )
            if taken.rowcount != 1:
                refused_by = scope
                break
        if refused_by is None:
            conn.commit()
            return Reservation(tuple(scope for scope, _ in limits), day, estimate)
        conn.rollback()
        _ensure_row(conn, refused_by, day)
        conn.execute(
            update(AIBudgetDay).where(_row(refused_by, day)).values(refused=AIBudgetDay.refused + 1)
        )
        conn.commit()
    raise BudgetSpent(refused_by)


def settle(reservation: Reservation, used: int | None = None) -> None:
    """Replace the reservation by the tokens really used (0 releases it); once only."""
    if reservation.settled:
        return
    tokens = max(0, int(reservation.used if used is None else used))
    with db.engine.begin() as conn:
        for scope in reservation.scopes:
            conn.execute(
                update(AIBudgetDay)
                .where(_row(scope, reservation.day))
                .values(
                    reserved=AIBudgetDay.reserved - reservation.estimate,
                    used=AIBudgetDay.used + tokens,
                )
            )
    reservation.settled = True


@contextmanager
def spend(user_id: int | None, estimate: int) -> Iterator[Reservation]:
    """Reserve for the block's model call and settle with `reservation.used` when it ends,
    whether it returned or raised (the caller sets what an unusable answer cost)."""
    reservation = reserve(user_id, estimate)
    try:
        yield reservation
    finally:
        settle(reservation)


# ---------------------------------------------------------------- who pays for a grade


def payer() -> int | None:
    """The user whose budget the current grading draws on (None: the organisation's only)."""
    return _payer.get()


@contextmanager
def paying_for_session(session_id: int) -> Iterator[None]:
    """Model calls in the block (the judge, the LLM reader) are charged to the session's agent."""
    with db.engine.connect() as conn:
        user_id = conn.scalar(
            select(RoleplaySession.user_id).where(RoleplaySession.id == session_id)
        )
    token = _payer.set(user_id)
    try:
        yield
    finally:
        _payer.reset(token)


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class BudgetState:
    """One budget today: its limit (0 = none), tokens used and reserved, calls and refusals."""

    scope: str
    limit: int
    used: int
    reserved: int
    calls: int
    refused: int

    @property
    def spent(self) -> bool:
        """True when nothing more can be reserved."""
        return self.limit > 0 and self.used + self.reserved >= self.limit


def budget_today(scope: str, limit: int) -> BudgetState:
    """Today's figures of one budget (read only)."""
    row = db.session.scalar(select(AIBudgetDay).where(_row(scope, clock.today())))
    if row is None:
        return BudgetState(scope, limit, 0, 0, 0, 0)
    return BudgetState(scope, limit, row.used, row.reserved, row.calls, row.refused)


def spent_budget(user_id: int) -> str | None:
    """The first budget of this user's calls that is spent today ("user:<id>" or "org")."""
    states = [budget_today(user_scope(user_id), user_limit()), org_today()]
    return next((state.scope for state in states if state.spent), None)


def org_today() -> BudgetState:
    """The organisation's budget today."""
    return budget_today(ORG, _org_limit(db.session.connection()))


def set_org_limit(tokens: int, actor) -> int | None:
    """Set the organisation's daily tokens (0: no limit); the previous value (flush only)."""
    row = db.session.get(AIBudgetLimit, ORG)
    before = row.daily_tokens if row is not None else None
    if row is None:
        row = AIBudgetLimit(scope=ORG, daily_tokens=tokens)
        db.session.add(row)
    row.daily_tokens = tokens
    row.updated_at = clock.utcnow()
    row.updated_by_id = actor.id if actor is not None else None
    db.session.flush()
    return before
