"""One agent's scorecard over a period (the team scorecard is in teamcard.py).

The figures (KPI values, QA score, composite) come from figures.agent_figures, the one
computation every page shares; training results from the other features' contracts, OKR scores
from approved sets: a bounded number of queries per page.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from trainer.accounts.models import User
from trainer.scorecards import aggregates, okrs
from trainer.scorecards.catalogue import Catalogue, KpiDefinition, current_catalogue
from trainer.scorecards.charts import LineChart, line_chart
from trainer.scorecards.figures import AgentFigures, agent_figures_for_periods
from trainer.scorecards.okr_models import APPROVED, OkrSet
from trainer.scorecards.periods import Period
from trainer.scorecards.scoring import Composite, kpi_points, kpi_status
from trainer.scorecards.training import TrainingSummary, quiz_titles, training_summaries


@dataclass
class KpiLine:
    """One KPI on a scorecard: value against target, status, points, trend."""

    kpi: KpiDefinition
    value: float | None
    previous: float | None
    status: str
    points: float | None
    chart: LineChart | None = None
    source: str | None = None

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def improved(self) -> bool | None:
        if self.delta is None or self.delta == 0:
            return None
        return (self.delta > 0) == self.kpi.higher_is_better


@dataclass
class AgentScorecard:
    """Everything on one agent's scorecard for one period."""

    agent: User
    period: Period
    lines: list[KpiLine]
    composite: Composite
    previous_composite: Composite
    conversations: int
    days: int
    training: TrainingSummary
    okr_set: OkrSet | None
    okr_score: float | None
    qa_source: str | None
    figures: AgentFigures | None = None
    quiz_names: dict = field(default_factory=dict)


def kpi_lines(
    catalogue: Catalogue,
    values: Mapping[str, float],
    previous: Mapping[str, float],
    series: list | None,
    period: Period,
    qa_source: str | None,
) -> list[KpiLine]:
    """One KpiLine per agent KPI: value, previous value, status, points and daily chart."""
    lines = []
    for kpi in catalogue.agent_kpis:
        value = values.get(kpi.key)
        chart = None
        if series is not None:
            points = [
                (row.day, float(getattr(row, kpi.key)))
                for row in series
                if getattr(row, kpi.key) is not None
            ]
            chart = line_chart(points, period.start, period.end, kpi.target)
        lines.append(
            KpiLine(
                kpi=kpi,
                value=value,
                previous=previous.get(kpi.key),
                status=kpi_status(kpi, value),
                points=kpi_points(kpi, value),
                chart=chart,
                source=qa_source if kpi.key == "qa_score" else None,
            )
        )
    return lines


def build_agent_scorecard(agent: User, period: Period, now: datetime) -> AgentScorecard:
    """One agent's scorecard: KPIs with trends, training results and OKRs for the period."""
    catalogue = current_catalogue()
    now_figures, then_figures = agent_figures_for_periods([agent.id], [period, period.previous()])
    figures, before = now_figures[agent.id], then_figures[agent.id]
    series = aggregates.daily_agent_series(agent.id, period.start, period.end)
    training = training_summaries([agent.id], period.start, period.end, now)[agent.id]
    training.roleplays = list(figures.roleplays)
    okr_set = okrs.get_set(agent.id, period.quarter)
    return AgentScorecard(
        agent=agent,
        period=period,
        lines=kpi_lines(
            catalogue, figures.values, before.values, series, period, figures.qa_source
        ),
        composite=figures.composite,
        previous_composite=before.composite,
        conversations=figures.conversations,
        days=figures.days,
        training=training,
        okr_set=okr_set,
        okr_score=okrs.set_score(okr_set) if okr_set and okr_set.status == APPROVED else None,
        qa_source=figures.qa_source,
        figures=figures,
        quiz_names=quiz_titles(
            p.quiz_slug for p in training.valid_passes + training.expired_passes
        ),
    )
