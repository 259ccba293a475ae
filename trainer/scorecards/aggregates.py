"""KPI figures per agent, team and day, aggregated in SQL (GROUP BY), never row by row in Python.

Daily rates are averaged weighted by the day's conversations (CSAT by its number of ratings,
falling back to conversations), so a quiet day counts less than a busy one.
"""

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from functools import cache

from sqlalchemy import Float, bindparam, case, cast, func, literal_column, select, union_all

from trainer.accounts.models import User
from trainer.core.evidence import KpiSummary
from trainer.extensions import db
from trainer.scorecards.catalogue import KNOWN_KPIS
from trainer.scorecards.models import KpiRecord, TeamKpiRecord

AGENT_KPIS = {key: column for key, (scope, column) in KNOWN_KPIS.items() if scope == "agent"}
TEAM_KPIS = {key: column for key, (scope, column) in KNOWN_KPIS.items() if scope == "team"}


def _weight_for(key: str):
    if key == "csat":
        return func.coalesce(KpiRecord.csat_responses, KpiRecord.conversations)
    return KpiRecord.conversations


def _weighted_mean(key: str):
    """SUM(value × weight) ÷ SUM(weight where value is present); NULL when no weight."""
    column = getattr(KpiRecord, AGENT_KPIS[key])
    weight = _weight_for(key)
    numerator = func.sum(cast(column, Float) * weight)
    denominator = func.sum(case((column.is_not(None), weight), else_=0))
    return (numerator / func.nullif(cast(denominator, Float), 0.0)).label(key)


def _kpi_columns() -> list:
    return [
        func.coalesce(func.sum(KpiRecord.conversations), 0).label("conversations"),
        func.count(KpiRecord.id).label("days"),
        *(_weighted_mean(key) for key in AGENT_KPIS),
    ]


def _summary(row) -> KpiSummary:
    values = {key: float(getattr(row, key)) for key in AGENT_KPIS if getattr(row, key) is not None}
    return KpiSummary(values=values, conversations=int(row.conversations), days=int(row.days))


def summaries_for_agents(user_ids: Iterable[int], start: date, end: date) -> dict[int, KpiSummary]:
    """KPI values per agent over [start, end] for the given ids: one GROUP BY query."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    query = (
        select(KpiRecord.agent_id, *_kpi_columns())
        .where(KpiRecord.agent_id.in_(ids), KpiRecord.day.between(start, end))
        .group_by(KpiRecord.agent_id)
    )
    return {row.agent_id: _summary(row) for row in db.session.execute(query)}


@cache
def _windows_statement(count: int):
    """The UNION ALL of `count` per-window GROUP BYs, with the agent ids and each window's
    bounds as bound parameters: built once per process and number of windows, since building
    the expression (a weighted mean per KPI per window) costs more than running it."""
    ids = bindparam("ids", expanding=True)
    parts = [
        select(literal_column(str(n)).label("span_no"), KpiRecord.agent_id, *_kpi_columns())
        .where(
            KpiRecord.agent_id.in_(ids),
            KpiRecord.day.between(bindparam(f"start_{n}"), bindparam(f"end_{n}")),
        )
        .group_by(KpiRecord.agent_id)
        for n in range(count)
    ]
    return union_all(*parts)


def summaries_for_windows(
    user_ids: Iterable[int], windows: Sequence[tuple[date, date]]
) -> list[dict[int, KpiSummary]]:
    """KPI values per agent for each window [start, end], in one statement (UNION ALL of one
    GROUP BY per window): a period and the one before it cost one query, not two."""
    ids = list(set(user_ids))
    if not ids or not windows:
        return [{} for _window in windows]
    params: dict = {"ids": ids}
    for n, (start, end) in enumerate(windows):
        params[f"start_{n}"], params[f"end_{n}"] = start, end
    found: list[dict[int, KpiSummary]] = [{} for _window in windows]
    for row in db.session.execute(_windows_statement(len(windows)), params):
        found[int(row.span_no)][row.agent_id] = _summary(row)
    return found


def summaries_for_team(team_id: int, start: date, end: date) -> dict[int, KpiSummary]:
    """KPI values per member of a team over [start, end]: one query joined on users."""
    query = (
        select(KpiRecord.agent_id, *_kpi_columns())
        .join(User, User.id == KpiRecord.agent_id)
        .where(User.team_id == team_id, KpiRecord.day.between(start, end))
        .group_by(KpiRecord.agent_id)
    )
    return {row.agent_id: _summary(row) for row in db.session.execute(query)}


def team_member_totals(team_id: int, start: date, end: date) -> KpiSummary | None:
    """The whole team's KPI values over [start, end] (all members' days pooled)."""
    query = (
        select(*_kpi_columns())
        .join(User, User.id == KpiRecord.agent_id)
        .where(User.team_id == team_id, KpiRecord.day.between(start, end))
    )
    row = db.session.execute(query).one()
    return _summary(row) if row.days else None


def daily_agent_series(agent_id: int, start: date, end: date) -> list:
    """One row per day with data for one agent: day, conversations and each KPI value."""
    columns = [getattr(KpiRecord, c).label(k) for k, c in AGENT_KPIS.items()]
    query = (
        select(KpiRecord.day, KpiRecord.conversations, *columns)
        .where(KpiRecord.agent_id == agent_id, KpiRecord.day.between(start, end))
        .order_by(KpiRecord.day)
    )
    return list(db.session.execute(query))


def daily_team_series(team_id: int, start: date, end: date) -> list:
    """One row per day for a team: its members' KPI values pooled for that day."""
    query = (
        select(KpiRecord.day, *_kpi_columns())
        .join(User, User.id == KpiRecord.agent_id)
        .where(User.team_id == team_id, KpiRecord.day.between(start, end))
        .group_by(KpiRecord.day)
        .order_by(KpiRecord.day)
    )
    return list(db.session.execute(query))


def team_kpi_values(team_id: int, start: date, end: date) -> dict[str, float]:
    """Team-level KPIs (cost saving, churn) averaged over the period's days with a value."""
    columns = [func.avg(getattr(TeamKpiRecord, c)).label(k) for k, c in TEAM_KPIS.items()]
    query = select(*columns).where(
        TeamKpiRecord.team_id == team_id, TeamKpiRecord.day.between(start, end)
    )
    row = db.session.execute(query).one()
    return {key: float(getattr(row, key)) for key in TEAM_KPIS if getattr(row, key) is not None}


def iter_summaries(
    start: date, end: date, team_id: int | None = None
) -> Iterator[tuple[int, KpiSummary]]:
    """(agent id, KPI values) of every agent with records over [start, end] (or one team's),
    by agent id, one GROUP BY statement read row by row: an organisation's ranking never holds
    every agent's values at once."""
    query = (
        select(KpiRecord.agent_id, *_kpi_columns())
        .where(KpiRecord.day.between(start, end))
        .group_by(KpiRecord.agent_id)
        .order_by(KpiRecord.agent_id)
    )
    if team_id is not None:
        query = query.join(User, User.id == KpiRecord.agent_id).where(User.team_id == team_id)
    with db.session.execute(query.execution_options(yield_per=1000)) as result:
        for row in result:
            yield row.agent_id, _summary(row)
