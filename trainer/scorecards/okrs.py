"""OKR operations: the agent drafts and submits, the manager approves or returns, progress updates.

Scores follow scoring.okr_set_score: each key result 0.0-1.0 from its start to its target, an
objective the weighted mean of its key results, the set the mean of its objectives.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam
from sqlalchemy.orm import joinedload, selectinload

from trainer.core import audit
from trainer.core.clock import today, utcnow
from trainer.core.i18n import _
from trainer.core.memo import memo_active, request_memo
from trainer.extensions import db
from trainer.scorecards.okr_models import (
    APPROVED,
    DRAFT,
    RETURNED,
    SUBMITTED,
    OkrKeyResult,
    OkrObjective,
    OkrProgressUpdate,
    OkrSet,
)
from trainer.scorecards.periods import quarter_bounds
from trainer.scorecards.scoring import key_result_score, objective_score, okr_set_score

MAX_OBJECTIVES = 3
MAX_KEY_RESULTS = 4
# Final figures often arrive after the quarter ends; progress may be updated this long after.
UPDATE_GRACE_DAYS = 14


class OkrError(ValueError):
    """A user-facing reason an OKR operation was refused."""


@dataclass(frozen=True)
class KeyResultInput:
    """A key result as the agent typed it."""

    title: str
    target: float
    start_value: float = 0.0
    weight: float = 1.0
    unit: str = ""


@dataclass(frozen=True)
class ObjectiveInput:
    """An objective as the agent typed it, with its key results."""

    title: str
    key_results: Sequence[KeyResultInput]


def _load_options():
    return selectinload(OkrSet.objectives).selectinload(OkrObjective.key_results)


def _agent_sets_joined(agent_id: int) -> dict[str, OkrSet]:
    """Every OKR set of the agent by quarter, objectives and key results joined: one query."""
    sets = db.session.scalars(_agent_sets_statement(), {"agent_id": agent_id})
    return {s.quarter: s for s in sets.unique()}


@cache
def _agent_sets_statement() -> Select:
    """The statement of `_agent_sets_joined`, the agent's id a bound parameter: built once per
    process (the home page reads it on every visit)."""
    return (
        db.select(OkrSet)
        .where(OkrSet.agent_id == bindparam("agent_id"))
        .options(joinedload(OkrSet.objectives).joinedload(OkrObjective.key_results))
    )


def _memo_sets(agent_id: int) -> dict[str, OkrSet] | None:
    """The agent's sets shared by a GET request's panels (None outside a GET request)."""
    if not memo_active():
        return None
    return request_memo(("okrs.sets", agent_id), lambda: _agent_sets_joined(agent_id))


def get_set(agent_id: int, quarter: str) -> OkrSet | None:
    """The agent's OKR set for the quarter with objectives and key results loaded."""
    if (memo := _memo_sets(agent_id)) is not None:
        return memo.get(quarter)
    query = (
        db.select(OkrSet)
        .where(OkrSet.agent_id == agent_id, OkrSet.quarter == quarter)
        .options(_load_options())
    )
    return db.session.scalar(query)


def _check_quarter(quarter: str) -> None:
    try:
        start, end = quarter_bounds(quarter)
    except ValueError:
        raise OkrError(_("Not a quarter.")) from None
    current = today()
    # Planning a quarter ahead is fine; rewriting history is not.
    if end < current - timedelta(days=UPDATE_GRACE_DAYS) or start > current + timedelta(days=100):
        raise OkrError(_("OKRs can be drafted only for the current or the next quarter."))


def _validate(objectives: Sequence[ObjectiveInput]) -> list[ObjectiveInput]:
    kept = [o for o in objectives if o.title.strip() or o.key_results]
    if not kept:
        raise OkrError(_("Write at least one objective with a key result."))
    if len(kept) > MAX_OBJECTIVES:
        raise OkrError(_("At most %(n)d objectives per quarter.", n=MAX_OBJECTIVES))
    for objective in kept:
        if not objective.title.strip():
            raise OkrError(_("Every objective needs a title."))
        if not objective.key_results:
            raise OkrError(
                _("Objective “%(title)s” needs at least one key result.", title=objective.title)
            )
        if len(objective.key_results) > MAX_KEY_RESULTS:
            raise OkrError(_("At most %(n)d key results per objective.", n=MAX_KEY_RESULTS))
        for kr in objective.key_results:
            if not all(math.isfinite(v) for v in (kr.target, kr.start_value, kr.weight)):
                raise OkrError(_("Key result “%(title)s”: use ordinary numbers.", title=kr.title))
            if not kr.title.strip():
                raise OkrError(_("Every key result needs a title."))
            if kr.target == kr.start_value:
                raise OkrError(
                    _(
                        "Key result “%(title)s”: the target must differ from the start value.",
                        title=kr.title,
                    )
                )
            if kr.weight <= 0:
                raise OkrError(
                    _("Key result “%(title)s”: the weight must be above 0.", title=kr.title)
                )
    return kept


def save_draft(agent: Any, quarter: str, objectives: Sequence[ObjectiveInput]) -> OkrSet:
    """Create or replace the agent's draft for the quarter (only while draft or returned)."""
    _check_quarter(quarter)
    kept = _validate(objectives)
    okr_set = get_set(agent.id, quarter)
    if okr_set is None:
        okr_set = OkrSet(agent_id=agent.id, quarter=quarter, status=DRAFT)
        db.session.add(okr_set)
    elif okr_set.status not in (DRAFT, RETURNED):
        raise OkrError(_("These OKRs are submitted or approved and can no longer be edited."))
    okr_set.objectives.clear()
    db.session.flush()
    for position, objective in enumerate(kept):
        row = OkrObjective(position=position, title=objective.title.strip()[:200])
        for kr_position, kr in enumerate(objective.key_results):
            row.key_results.append(
                OkrKeyResult(
                    position=kr_position,
                    title=kr.title.strip()[:200],
                    unit=(kr.unit or "").strip()[:20],
                    start_value=kr.start_value,
                    target=kr.target,
                    current=kr.start_value,
                    weight=kr.weight,
                )
            )
        okr_set.objectives.append(row)
    db.session.flush()
    return okr_set


def submit_set(okr_set: OkrSet, agent: Any) -> None:
    """The agent asks the manager to approve the draft."""
    if okr_set.status not in (DRAFT, RETURNED):
        raise OkrError(_("Only a draft can be submitted."))
    if not okr_set.objectives:
        raise OkrError(_("Write at least one objective with a key result."))
    okr_set.status, okr_set.submitted_at = SUBMITTED, utcnow()
    db.session.flush()
    audit.record(
        agent, "okr.submit", okr_set, before={"status": DRAFT}, after={"status": SUBMITTED}
    )


def _decide(okr_set: OkrSet, manager: Any, status: str, comment: str, action: str) -> None:
    if okr_set.status != SUBMITTED:
        raise OkrError(_("Only submitted OKRs can be approved or returned."))
    if okr_set.agent_id == getattr(manager, "id", None):
        raise OkrError(_("You cannot approve your own OKRs."))
    before = {"status": okr_set.status}
    okr_set.status = status
    okr_set.decided_at = utcnow()
    okr_set.decided_by_id = manager.id
    okr_set.manager_comment = (comment or "").strip()[:2000] or None
    db.session.flush()
    audit.record(
        manager,
        action,
        okr_set,
        before=before,
        after={"status": status},
        comment=okr_set.manager_comment,
    )


def approve_set(okr_set: OkrSet, manager: Any, comment: str = "") -> None:
    """The manager approves submitted OKRs; from now on only progress changes."""
    _decide(okr_set, manager, APPROVED, comment, "okr.approve")


def return_set(okr_set: OkrSet, manager: Any, comment: str) -> None:
    """The manager sends OKRs back for changes, saying why."""
    if not (comment or "").strip():
        raise OkrError(_("Say what should change when returning OKRs."))
    _decide(okr_set, manager, RETURNED, comment, "okr.return")


def update_progress(
    key_result: OkrKeyResult, agent: Any, value: float, note: str = ""
) -> OkrProgressUpdate:
    """Record a new current value for a key result of approved OKRs."""
    okr_set = key_result.objective.okr_set
    if okr_set.status != APPROVED:
        raise OkrError(_("Progress can be updated once the OKRs are approved."))
    _start, end = quarter_bounds(okr_set.quarter)
    if today() > end + timedelta(days=UPDATE_GRACE_DAYS):
        raise OkrError(_("This quarter is closed for updates."))
    if not math.isfinite(value) or abs(value) > 1e12:
        raise OkrError(_("That value is out of range."))
    update = OkrProgressUpdate(
        key_result=key_result, value=value, note=(note or "").strip()[:500], author_id=agent.id
    )
    key_result.current = value
    db.session.add(update)
    db.session.flush()
    return update


def set_score(okr_set: OkrSet | None) -> float | None:
    """The set's score 0.0-1.0 (None without objectives)."""
    if okr_set is None:
        return None
    return okr_set_score(
        [
            [(kr.start_value, kr.target, kr.current, kr.weight) for kr in o.key_results]
            for o in okr_set.objectives
        ]
    )


def objective_progress(objective: OkrObjective) -> float:
    """One objective's score 0.0-1.0."""
    return objective_score(
        [(kr.start_value, kr.target, kr.current, kr.weight) for kr in objective.key_results]
    )


def key_result_progress(kr: OkrKeyResult) -> float:
    """One key result's score 0.0-1.0."""
    return key_result_score(kr.start_value, kr.target, kr.current)


def approved_sets(user_ids: Iterable[int], quarter: str) -> dict[int, OkrSet]:
    """Approved OKR sets of the quarter per agent (three queries whatever the number of agents)."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    if len(ids) == 1 and (memo := _memo_sets(ids[0])) is not None:
        found = memo.get(quarter)
        return {ids[0]: found} if found is not None and found.status == APPROVED else {}
    query = (
        db.select(OkrSet)
        .where(OkrSet.agent_id.in_(ids), OkrSet.quarter == quarter, OkrSet.status == APPROVED)
        .options(_load_options())
    )
    return {s.agent_id: s for s in db.session.scalars(query)}


def okr_scores(user_ids: Iterable[int], quarter: str) -> dict[int, float]:
    """Score per agent of their approved OKRs for the quarter (agents without are left out).

    One query of plain key-result rows (no ORM objects), scored by scoring.okr_set_score like
    `set_score`: cheap for a whole organisation's ranking."""
    ids = list(set(user_ids))
    if len(ids) == 1 and memo_active():  # one agent's page: shares the request's OKR sets
        found = approved_sets(ids, quarter).get(ids[0])
        score = set_score(found)
        return {ids[0]: score} if score is not None else {}
    if not ids:
        return {}
    return _scores_where(OkrSet.agent_id.in_(ids), quarter)


def okr_scores_among(agents: Select, quarter: str) -> dict[int, float]:
    """`okr_scores` for the agents a query of user ids selects (a team, the organisation),
    without sending thousands of ids back to the database."""
    return _scores_where(OkrSet.agent_id.in_(agents), quarter)


def _scores_where(condition, quarter: str) -> dict[int, float]:
    query = (
        db.select(
            OkrSet.agent_id,
            OkrObjective.id,
            OkrKeyResult.start_value,
            OkrKeyResult.target,
            OkrKeyResult.current,
            OkrKeyResult.weight,
        )
        .join(OkrObjective, OkrObjective.set_id == OkrSet.id)
        .join(OkrKeyResult, OkrKeyResult.objective_id == OkrObjective.id)
        .where(condition, OkrSet.quarter == quarter, OkrSet.status == APPROVED)
        .order_by(OkrSet.agent_id, OkrObjective.position, OkrObjective.id, OkrKeyResult.position)
    )
    scores: dict[int, float] = {}

    def score(agent_id: int | None, objectives: dict[int, list]) -> None:
        found = okr_set_score(list(objectives.values())) if objectives else None
        if agent_id is not None and found is not None:
            scores[agent_id] = found

    # rows come by agent: only one agent's key results are held at a time (flat memory)
    agent, objectives = None, {}
    with db.session.execute(query.execution_options(yield_per=1000)) as rows:
        for agent_id, objective_id, start, target, current, weight in rows:
            if agent_id != agent:
                score(agent, objectives)
                agent, objectives = agent_id, {}
            objectives.setdefault(objective_id, []).append((start, target, current, weight))
    score(agent, objectives)
    return scores


def sets_awaiting_approval(team_id: int | None) -> list[OkrSet]:
    """Submitted OKR sets of a team's agents (all teams for None), oldest first."""
    from trainer.accounts.models import User

    query = (
        db.select(OkrSet)
        .join(User, User.id == OkrSet.agent_id)
        .where(OkrSet.status == SUBMITTED)
        .options(_load_options(), selectinload(OkrSet.agent))
        .order_by(OkrSet.submitted_at)
    )
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    return list(db.session.scalars(query))


def agent_sets(agent_id: int) -> list[OkrSet]:
    """All the agent's OKR sets, newest quarter first."""
    query = (
        db.select(OkrSet)
        .where(OkrSet.agent_id == agent_id)
        .options(_load_options())
        .order_by(OkrSet.quarter.desc())
    )
    return list(db.session.scalars(query))


def quarter_is_open(quarter: str, on: date) -> bool:
    """Whether progress may still be recorded for the quarter on the given day."""
    _start, end = quarter_bounds(quarter)
    return on <= end + timedelta(days=UPDATE_GRACE_DAYS)
