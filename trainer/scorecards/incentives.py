"""Incentive scores per period: (KPI composite × kpi_weight + OKR × okr_weight) × level multiplier.

The level multiplier comes from certification, which sits above this package: callers (views,
CLI) pass it in as {agent id: (level label, multiplier)}.
"""

import statistics
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import selectinload

from trainer.accounts.models import User
from trainer.core.evidence import KpiSummary
from trainer.extensions import db
from trainer.scorecards import okrs
from trainer.scorecards.catalogue import current_catalogue
from trainer.scorecards.charts import BarChart, histogram
from trainer.scorecards.csvcells import csv_lines, text_cell
from trainer.scorecards.figures import AgentFigures, agent_figures
from trainer.scorecards.okr_models import OkrSet
from trainer.scorecards.periods import Period
from trainer.scorecards.scoring import (
    Composite,
    IncentiveBreakdown,
    incentive_score,
)

NO_DATA, TOO_FEW = "no_data", "too_few_conversations"


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


@dataclass
class IncentiveReport:
    """A ranking of agents by incentive score with its distribution."""

    period: Period
    rows: list[IncentiveRow]
    chart: BarChart

    @property
    def ranked(self) -> list[IncentiveRow]:
        return [r for r in self.rows if r.breakdown is not None]

    @property
    def median(self) -> float | None:
        scores = [r.breakdown.score for r in self.ranked]
        return round(statistics.median(scores), 1) if scores else None

    @property
    def mean(self) -> float | None:
        scores = [r.breakdown.score for r in self.ranked]
        return round(statistics.fmean(scores), 1) if scores else None


def _row(agent, figures: AgentFigures, okr, level, formula) -> IncentiveRow:
    composite = figures.composite
    summary = figures.summary
    label, multiplier = level
    row = IncentiveRow(
        agent, summary, composite, okr, label, multiplier, None, qa_source=figures.qa_source
    )
    if summary is None or composite.score is None:
        row.excluded = NO_DATA
    elif summary.conversations < formula.min_conversations:
        row.excluded = TOO_FEW
    else:
        row.breakdown = incentive_score(composite.score, okr, multiplier, formula)
    return row


def _rank(rows: list[IncentiveRow]) -> list[IncentiveRow]:
    """Best first; equal scores share a rank (1, 2, 2, 4); agents without a score last."""
    ranked = sorted(
        (r for r in rows if r.breakdown), key=lambda r: (-r.breakdown.score, r.agent.name)
    )
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        if row.breakdown.score != previous:
            rank, previous = position, row.breakdown.score
        row.rank = rank
    rest = sorted((r for r in rows if not r.breakdown), key=lambda r: r.agent.name)
    return ranked + rest


def agents_for(team_id: int | None) -> list[User]:
    """Agents of one team, or all agents for None, by name."""
    query = (
        db.select(User)
        .where(User.role == "agent")
        .options(selectinload(User.team))
        .order_by(User.name)
    )
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    return list(db.session.scalars(query))


def build_report(
    agents: Sequence[User],
    period: Period,
    levels: Mapping[int, tuple[str, float]],
    team_id: int | None = None,
) -> IncentiveReport:
    """Incentive scores for the agents over the period, ranked, with a distribution chart."""
    catalogue = current_catalogue()
    formula = catalogue.incentive
    ids = [a.id for a in agents]
    figures = agent_figures(ids, period)
    okr = okrs.okr_scores(ids, period.quarter)
    rows = [
        _row(agent, figures[agent.id], okr.get(agent.id), levels.get(agent.id, ("", 1.0)), formula)
        for agent in agents
    ]
    rows = _rank(rows)
    top = max([100.0] + [r.breakdown.score for r in rows if r.breakdown])
    chart = histogram([r.breakdown.score for r in rows if r.breakdown], 0, _nice_ceiling(top))
    return IncentiveReport(period=period, rows=rows, chart=chart)


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
    report = build_report([agent], period, {agent.id: level})
    sets = okrs.approved_sets([agent.id], period.quarter)
    return AgentIncentive(row=report.rows[0], okr_set=sets.get(agent.id))


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


def incentive_csv(report: IncentiveReport) -> Iterator[str]:
    """The ranking as CSV lines for payroll, for a streamed response (UTF-8 with BOM for Excel)."""
    return csv_lines(INCENTIVE_CSV_HEADER, (_csv_row(report, r) for r in report.rows))


def _csv_row(report: IncentiveReport, r) -> list:
    b = r.breakdown
    return [
        report.period.start.isoformat(),
        report.period.end.isoformat(),
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
