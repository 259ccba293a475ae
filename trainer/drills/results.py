"""The figures of a drill, computed once here: per conversation and per run (docs/drills.md).

Every page, export, the certification evidence and the team view call `summarise_runs`, so
the results page, the readiness table and the CSV show the same numbers.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from trainer.core.i18n import _
from trainer.drills.models import DrillCustomer, DrillRun
from trainer.drills.runs import persona_names
from trainer.extensions import db
from trainer.roleplay.models import RoleplayGrade, RoleplaySession, RoleplayTurn
from trainer.roleplay.policy import active_policy, transcript_breaches
from trainer.roleplay.transcript import from_turns, reply_times

SERVED, ABANDONED, NOT_ARRIVED = "served", "abandoned", "not_arrived"
# The drill score's weights (docs/drills.md): first replies within target, customers served,
# rubric grades; minus a fixed cost per compliance breach.
TARGET_WEIGHT, SERVED_WEIGHT, GRADE_WEIGHT, BREACH_COST = 40, 30, 30, 10


@dataclass(frozen=True)
class ConversationResult:
    """One customer of a run, measured by the server."""

    position: int
    scenario_slug: str
    name: str
    outcome: str  # served | abandoned | not_arrived
    arrived_after: float  # seconds after the drill started
    first_response: float | None
    average_response: float | None
    longest_response: float | None
    end_after: float | None  # seconds after the start the conversation ended or the customer left
    first_reply_after: float | None
    followed_up_after: float | None
    resolved: bool
    breaches: int
    grade: float | None
    passed: bool | None
    session_id: int | None
    within_target: bool


@dataclass(frozen=True)
class RunSummary:
    """A run's figures: what the results page, evidence and team view show."""

    run_id: int
    user_id: int
    drill_slug: str
    finished_at: datetime | None
    target_seconds: int
    length: int
    arrived: int
    served: int
    abandoned: int
    within_target: int
    within_target_share: float | None  # 0..1 of arrived customers
    average_first_response: float | None
    breaches: int
    average_grade: float | None
    grading_pending: bool
    max_parallel: int  # most customers in conversation at once
    score: int | None  # None while a grade is pending
    conversations: list[ConversationResult] = field(default_factory=list)


def _round(value: float | None, places: str = "0.1") -> float | None:
    if value is None:
        return None
    return float(Decimal(repr(float(value))).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def drill_score(
    within_share: float, served_share: float, average_grade: float, breaches: int
) -> int:
    """40 × share within target + 30 × share served + 30 × grade/100 − 10 per breach, 0..100."""
    raw = (
        TARGET_WEIGHT * within_share
        + SERVED_WEIGHT * served_share
        + GRADE_WEIGHT * average_grade / 100
        - BREACH_COST * breaches
    )
    return int(_round(max(0.0, min(100.0, raw)), "1"))


def max_parallel(intervals: list[tuple[datetime, datetime]]) -> int:
    """The most intervals open at one instant (an end meeting a start is no overlap)."""
    events = sorted(
        [(start, 1) for start, _end in intervals] + [(end, -1) for _start, end in intervals]
    )
    peak = current = 0
    for _moment, step in events:
        current += step
        peak = max(peak, current)
    return peak


def summarise_runs(runs: list[DrillRun]) -> dict[int, RunSummary]:
    """Figures for each run (a fixed number of queries, whatever the number of runs)."""
    if not runs:
        return {}
    run_ids = [r.id for r in runs]
    customers: dict[int, list[DrillCustomer]] = {i: [] for i in run_ids}
    for customer in db.session.scalars(
        db.select(DrillCustomer)
        .where(DrillCustomer.run_id.in_(run_ids))
        .order_by(DrillCustomer.run_id, DrillCustomer.position)
    ):
        customers[customer.run_id].append(customer)
    session_ids = [c.session_id for cs in customers.values() for c in cs if c.session_id]
    sessions: dict[int, RoleplaySession] = {}
    grades: dict[int, RoleplayGrade] = {}
    turns: dict[int, list[RoleplayTurn]] = {i: [] for i in session_ids}
    if session_ids:
        for session in db.session.scalars(
            db.select(RoleplaySession)
            .where(RoleplaySession.id.in_(session_ids))
            .options(db.joinedload(RoleplaySession.version))
        ):
            sessions[session.id] = session
        for grade in db.session.scalars(
            db.select(RoleplayGrade).where(RoleplayGrade.session_id.in_(session_ids))
        ):
            grades[grade.session_id] = grade
        for turn in db.session.scalars(
            db.select(RoleplayTurn)
            .where(RoleplayTurn.session_id.in_(session_ids))
            .order_by(RoleplayTurn.session_id, RoleplayTurn.seq)
        ):
            turns[turn.session_id].append(turn)
    policy = active_policy() if session_ids else None
    names = persona_names(
        {c.scenario_slug for cs in customers.values() for c in cs if c.session_id is None}
    )
    return {
        run.id: _summarise(run, customers[run.id], sessions, grades, turns, policy, names)
        for run in runs
    }


def _conversation(run, customer, session, grade, turns, policy, names) -> ConversationResult:
    spec = run.version.spec
    target = spec["target_seconds"]
    start = run.started_at

    def after(moment):
        return _round((moment - start).total_seconds()) if moment is not None else None

    if session is None:
        outcome = ABANDONED if customer.left_at is not None else NOT_ARRIVED
        return ConversationResult(
            customer.position,
            customer.scenario_slug,
            names.get(customer.scenario_slug, f"#{customer.position}"),
            outcome,
            after(customer.arrives_at),
            None,
            None,
            None,
            after(customer.left_at),
            None,
            after(customer.followed_up_at),
            False,
            0,
            None,
            None,
            None,
            False,
        )
    lines = from_turns(turns)
    times = [seconds for _, seconds in reply_times(lines)]
    agent_turns = [t for t in turns if t.speaker == "agent"]
    first_reply = agent_turns[0].created_at if agent_turns else None
    first = _round((first_reply - customer.arrives_at).total_seconds()) if first_reply else None
    breaches = len(transcript_breaches(session.version.spec, lines, policy=policy))
    return ConversationResult(
        position=customer.position,
        scenario_slug=customer.scenario_slug,
        name=session.version.spec["persona"]["name"],
        outcome=SERVED if first_reply else ABANDONED,
        arrived_after=after(customer.arrives_at),
        first_response=first,
        average_response=_round(sum(times) / len(times)) if times else None,
        longest_response=_round(max(times)) if times else None,
        end_after=after(session.ended_at or run.finished_at),
        first_reply_after=after(first_reply),
        followed_up_after=after(customer.followed_up_at),
        resolved=session.end_reason == "resolved",
        breaches=breaches,
        grade=grade.total if grade is not None else None,
        passed=grade.passed if grade is not None else None,
        session_id=session.id,
        within_target=first is not None and first <= target,
    )


def _summarise(run, customers, sessions, grades, turns, policy, names) -> RunSummary:
    spec = run.version.spec
    conversations = [
        _conversation(
            run,
            c,
            sessions.get(c.session_id),
            grades.get(c.session_id),
            turns.get(c.session_id, []),
            policy,
            names,
        )
        for c in customers
    ]
    arrived = [c for c in conversations if c.outcome != NOT_ARRIVED]
    served = [c for c in arrived if c.outcome == SERVED]
    within = sum(1 for c in arrived if c.within_target)
    firsts = [c.first_response for c in served if c.first_response is not None]
    graded = [c.grade for c in served if c.grade is not None]
    pending = run.status != "finished" or len(graded) < len(served)
    breaches = sum(c.breaches for c in arrived)
    within_share = within / len(arrived) if arrived else None
    average_grade = sum(graded) / len(graded) if graded else None
    score = None
    if not pending and arrived:
        score = drill_score(within_share, len(served) / len(arrived), average_grade or 0, breaches)
    intervals = []
    for customer, result in zip(customers, conversations, strict=True):
        if result.outcome == SERVED:
            end = sessions[customer.session_id].ended_at or run.finished_at or run.ends_at
            intervals.append((customer.arrives_at, end))
    return RunSummary(
        run_id=run.id,
        user_id=run.user_id,
        drill_slug=run.drill.slug,
        finished_at=run.finished_at,
        target_seconds=spec["target_seconds"],
        length=spec["length"],
        arrived=len(arrived),
        served=len(served),
        abandoned=len(arrived) - len(served),
        within_target=within,
        within_target_share=within_share,
        average_first_response=_round(sum(firsts) / len(firsts)) if firsts else None,
        breaches=breaches,
        average_grade=_round(average_grade),
        grading_pending=pending,
        max_parallel=max_parallel(intervals),
        score=score,
        conversations=conversations,
    )


def grading_progress(summary: RunSummary) -> dict:
    """How many served conversations are graded, and what the waiting results page says."""
    served = [c for c in summary.conversations if c.outcome == SERVED]
    graded = sum(1 for c in served if c.grade is not None)
    message = _(
        "Grading the conversations… %(graded)d of %(total)d done.",
        graded=graded,
        total=len(served),
    )
    return {"graded": graded, "total": len(served), "message": message}
