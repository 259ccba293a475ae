"""Incentive scores per period: (KPI composite × kpi_weight + OKR × okr_weight) × level multiplier.

The level multiplier comes from certification, which sits above this package: callers (views,
CLI) pass it in as {agent id: (level label, multiplier)}.
"""

import statistics
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Select
from sqlalchemy.orm import selectinload

from trainer.accounts.models import User
from trainer.core.evidence import KpiSummary
from trainer.core.pages import CursorPage, page_after
from trainer.extensions import db
from trainer.scorecards import okrs
from trainer.scorecards.catalogue import current_catalogue
from trainer.scorecards.charts import BarChart, histogram
from trainer.scorecards.csvcells import csv_lines, text_cell
from trainer.scorecards.figures import AgentFigures, agent_composites, agent_figures
from trainer.scorecards.okr_models import OkrSet
from trainer.scorecards.periods import Period
from trainer.scorecards.scoring import (
    Composite,
    IncentiveBreakdown,
    incentive_score,
)

NO_DATA, TOO_FEW = "no_data", "too_few_conversations"
PAGE_SIZE = 50  # agents per page of the ranking
CSV_CHUNK = 500  # agents whose full rows the CSV export builds at a time


@dataclass
class IncentiveRow:
    """One agent's incentive score for the period, or why there is none."""

    agent: User
    summary: KpiSummary | None
    composite: Composite
    okr: float | None
    level: str
    multiplier: float
    breakdown: IncentiveBreakdown | None
    excluded: str | None = None
    rank: int | None = None
    qa_source: str | None = None

    @property
    def conversations(self) -> int:
        return self.summary.conversations if self.summary else 0


def _outcome(
    conversations: int, composite: float | None, okr, multiplier: float, formula
) -> tuple[IncentiveBreakdown | None, str | None]:
    """The incentive score's parts, or why there is none: the one rule both the full rows and
    the organisation-wide ranking use."""
    if composite is None:
        return None, NO_DATA
    if conversations < formula.min_conversations:
        return None, TOO_FEW
    return incentive_score(composite, okr, multiplier, formula), None


def _row(agent, figures: AgentFigures, okr, level, formula) -> IncentiveRow:
    label, multiplier = level
    breakdown, excluded = _outcome(
        figures.conversations if figures.summary else 0,
        figures.composite.score if figures.summary else None,
        okr,
        multiplier,
        formula,
    )
    return IncentiveRow(
        agent,
        figures.summary,
        figures.composite,
        okr,
        label,
        multiplier,
        breakdown,
        excluded,
        qa_source=figures.qa_source,
    )


def full_rows(
    agents: Sequence[User],
    period: Period,
    levels: Mapping[int, tuple[str, float]],
    ranks: Mapping[int, int | None] | None = None,
) -> list[IncentiveRow]:
    """Every part of the score for these agents (a page or a CSV chunk of the ranking), in the
    given order, with their rank in the whole ranking when given."""
    formula = current_catalogue().incentive
    ids = [a.id for a in agents]
    figures = agent_figures(ids, period)
    okr = okrs.okr_scores(ids, period.quarter)
    rows = [
        _row(agent, figures[agent.id], okr.get(agent.id), levels.get(agent.id, ("", 1.0)), formula)
        for agent in agents
    ]
    for row in rows:
        row.rank = (ranks or {}).get(row.agent.id)
    return rows


@dataclass(frozen=True)
class RankEntry:
    """One agent's place in the ranking: just enough to order, page and chart it."""

    agent_id: int
    name: str
    score: float | None
    rank: int | None


@dataclass
class Ranking:
    """Every agent of a team (or the organisation) ranked by incentive score, best first; equal
    scores share a rank (1, 2, 2, 4); agents without a score last, by name. Ties are broken by
    name, then id, so the order is total and stable: pages cut it with an agent-id cursor."""

    period: Period
    entries: list[RankEntry]
    chart: BarChart

    @property
    def ranked(self) -> list[RankEntry]:
        return [e for e in self.entries if e.score is not None]

    @property
    def median(self) -> float | None:
        scores = [e.score for e in self.ranked]
        return round(statistics.median(scores), 1) if scores else None

    @property
    def mean(self) -> float | None:
        scores = [e.score for e in self.ranked]
        return round(statistics.fmean(scores), 1) if scores else None

    def page(self, after: int | None, size: int | None = None) -> CursorPage[RankEntry]:
        """The `size` (PAGE_SIZE) entries that follow the agent `after` (from the top without a
        cursor, or when that agent is no longer listed or was the last)."""
        return page_after(self.entries, lambda e: e.agent_id, after, size or PAGE_SIZE)


def _agents_query(team_id: int | None, *columns) -> Select:
    query = db.select(*columns).where(User.role == "agent")
    return query if team_id is None else query.where(User.team_id == team_id)


def ranking_agents(team_id: int | None) -> list[tuple[int, str]]:
    """(id, name) of a team's agents, or every agent for None: plain rows, no ORM objects."""
    return [
        (uid, name) for uid, name in db.session.execute(_agents_query(team_id, User.id, User.name))
    ]


def build_ranking(
    team_id: int | None,
    period: Period,
    levels: Mapping[int, tuple[str, float]],
    agents: Sequence[tuple[int, str]] | None = None,
) -> Ranking:
    """The incentive ranking of a team (or every agent for None) for the period.

    Scores come from figures.agent_composites (one KPI GROUP BY statement, one role-play call)
    and one OKR statement, through the same `_outcome` rule as the full rows, so a page, its
    CSV and an agent's own breakdown show the same score. Only (id, name, score, rank) is kept
    per agent; the rows a page or CSV chunk shows are built for those agents alone. `agents`:
    the (id, name) of `ranking_agents(team_id)` when the caller has read them already."""
    formula = current_catalogue().incentive
    names = dict(ranking_agents(team_id) if agents is None else agents)
    selected = _agents_query(team_id, User.id)
    okr = okrs.okr_scores_among(selected, period.quarter)
    scored, rest = [], []
    for item in agent_composites(names, selected, period, team_id):
        multiplier = levels.get(item.agent_id, ("", 1.0))[1]
        breakdown, _excluded = _outcome(
            item.conversations,
            item.composite if item.has_kpis else None,
            okr.get(item.agent_id),
            multiplier,
            formula,
        )
        name = names[item.agent_id]
        if breakdown is None:
            rest.append(RankEntry(item.agent_id, name, None, None))
        else:
            scored.append((breakdown.score, name, item.agent_id))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    entries, previous, rank = [], None, 0
    for position, (score, name, uid) in enumerate(scored, start=1):
        if score != previous:
            rank, previous = position, score
        entries.append(RankEntry(uid, name, score, rank))
    rest.sort(key=lambda e: (e.name, e.agent_id))
    top = max([100.0] + [s for s, _n, _u in scored])
    chart = histogram([s for s, _n, _u in scored], 0, _nice_ceiling(top))
    return Ranking(period=period, entries=entries + rest, chart=chart)


def entry_rows(
    entries: Sequence[RankEntry], period: Period, levels: Mapping[int, tuple[str, float]]
) -> list[IncentiveRow]:
    """The full rows of these ranking entries (one page, one CSV chunk), in ranking order."""
    users = db.session.scalars(
        db.select(User)
        .where(User.id.in_([e.agent_id for e in entries]))
        .options(selectinload(User.team))
    )
    by_id = {u.id: u for u in users}
    agents = [by_id[e.agent_id] for e in entries if e.agent_id in by_id]
    return full_rows(agents, period, levels, {e.agent_id: e.rank for e in entries})


def _nice_ceiling(value: float) -> float:
    """Round the chart's top up to a multiple of 10 (multipliers can lift scores above 100)."""
    return float(int((value + 9.999) // 10) * 10)


@dataclass
class AgentIncentive:
    """One agent's incentive score broken into its parts."""

    row: IncentiveRow
    okr_set: OkrSet | None


def build_agent_incentive(agent: User, period: Period, level: tuple[str, float]) -> AgentIncentive:
    """An agent's incentive score for the period with every part that makes it."""
    (row,) = full_rows([agent], period, {agent.id: level})
    sets = okrs.approved_sets([agent.id], period.quarter)
    return AgentIncentive(row=row, okr_set=sets.get(agent.id))


INCENTIVE_CSV_HEADER = (
    "period_start",
    "period_end",
    "rank",
    "agent_email",
    "agent_name",
    "team",
    "level",
    "conversations",
    "kpi_composite",
    "okr_score",
    "kpi_part",
    "okr_part",
    "base_score",
    "level_multiplier",
    "incentive_score",
    "note",
)


def incentive_csv(
    ranking: Ranking, levels: Mapping[int, tuple[str, float]], chunk: int = CSV_CHUNK
) -> Iterator[str]:
    """The ranking as CSV lines for payroll, for a streamed response (UTF-8 with BOM for Excel):
    the full rows are built `chunk` agents at a time, so memory stays flat with their number."""

    def rows() -> Iterator[list]:
        for begin in range(0, len(ranking.entries), chunk):
            part = ranking.entries[begin : begin + chunk]
            for row in entry_rows(part, ranking.period, levels):
                yield _csv_row(ranking.period, row)

    return csv_lines(INCENTIVE_CSV_HEADER, rows())


def _csv_row(period: Period, r: IncentiveRow) -> list:
    b = r.breakdown
    return [
        period.start.isoformat(),
        period.end.isoformat(),
        r.rank or "",
        text_cell(r.agent.email),
        text_cell(r.agent.name),
        text_cell(r.agent.team.name if r.agent.team else ""),
        text_cell(r.level),
        r.conversations,
        _num(r.composite.score),
        _num(r.okr),
        _num(b and b.kpi_part),
        _num(b and b.okr_part),
        _num(b and b.base),
        f"{r.multiplier:g}",
        _num(b and b.score),
        r.excluded or "",
    ]


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
