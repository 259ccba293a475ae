"""Building scorecards: one agent over a period, and a team of agents for their manager.

Figures come from SQL aggregates (one GROUP BY per period), training results from the other
features' contracts, OKR scores from approved sets: a bounded number of queries per page.
"""

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from trainer.accounts.models import Team, User
from trainer.core.clock import local_date
from trainer.core.evidence import KpiSummary
from trainer.extensions import db
from trainer.scorecards import aggregates, okrs
from trainer.scorecards.catalogue import Catalogue, KpiDefinition, current_catalogue
from trainer.scorecards.charts import LineChart, line_chart
from trainer.scorecards.csvcells import text_cell
from trainer.scorecards.okr_models import APPROVED, OkrSet
from trainer.scorecards.periods import Period
from trainer.scorecards.scoring import (
    MISSED,
    NO_DATA,
    WATCH,
    Composite,
    composite_score,
    kpi_points,
    kpi_status,
)
from trainer.scorecards.services import agent_values
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
    quiz_names: dict = field(default_factory=dict)


def _lines(
    catalogue: Catalogue,
    values: Mapping[str, float],
    previous: Mapping[str, float],
    series: list | None,
    period: Period,
    qa_source: str | None,
) -> list[KpiLine]:
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
    previous_period = period.previous()
    summaries = aggregates.summaries_for_agents([agent.id], period.start, period.end)
    before = aggregates.summaries_for_agents([agent.id], previous_period.start, previous_period.end)
    series = aggregates.daily_agent_series(agent.id, period.start, period.end)
    training = training_summaries([agent.id], previous_period.start, period.end, now)[agent.id]
    current_plays = [r for r in training.roleplays if local_date(r.ended_at) >= period.start]
    earlier_plays = [r for r in training.roleplays if local_date(r.ended_at) < period.start]
    training.roleplays = current_plays
    summary = summaries.get(agent.id)
    values, qa_source = agent_values(summary, training.roleplay_average, catalogue.roleplay_qa)
    earlier = TrainingSummary(roleplays=earlier_plays)
    previous_values, _src = agent_values(
        before.get(agent.id), earlier.roleplay_average, catalogue.roleplay_qa
    )
    okr_set = okrs.get_set(agent.id, period.quarter)
    return AgentScorecard(
        agent=agent,
        period=period,
        lines=_lines(catalogue, values, previous_values, series, period, qa_source),
        composite=composite_score(catalogue.agent_kpis, values),
        previous_composite=composite_score(catalogue.agent_kpis, previous_values),
        conversations=summary.conversations if summary else 0,
        days=summary.days if summary else 0,
        training=training,
        okr_set=okr_set,
        okr_score=okrs.set_score(okr_set) if okr_set and okr_set.status == APPROVED else None,
        qa_source=qa_source,
        quiz_names=quiz_titles(
            p.quiz_slug for p in training.valid_passes + training.expired_passes
        ),
    )


# ---------------------------------------------------------------- team


@dataclass
class TeamRow:
    """One agent's line on the team scorecard."""

    agent: User
    summary: KpiSummary | None
    values: dict[str, float]
    statuses: dict[str, str]
    composite: float | None
    previous_composite: float | None
    okr_score: float | None
    training: TrainingSummary
    level: str = ""

    @property
    def conversations(self) -> int:
        return self.summary.conversations if self.summary else 0

    @property
    def missed(self) -> int:
        return sum(1 for s in self.statuses.values() if s == MISSED)

    @property
    def watch(self) -> int:
        return sum(1 for s in self.statuses.values() if s == WATCH)

    @property
    def has_data(self) -> bool:
        return self.summary is not None


@dataclass
class TeamScorecard:
    """A team's scorecard: a row per agent, pooled team figures and team-level KPIs."""

    team: Team
    period: Period
    rows: list[TeamRow]
    pooled: list[KpiLine]
    pooled_composite: Composite
    team_lines: list[KpiLine]
    kpis: tuple[KpiDefinition, ...] = field(default_factory=tuple)


def team_agents(team_id: int) -> list[User]:
    """The team's agents, by name."""
    query = db.select(User).where(User.team_id == team_id, User.role == "agent").order_by(User.name)
    return list(db.session.scalars(query))


def build_team_scorecard(
    team: Team, period: Period, now: datetime, levels: Mapping[int, str] | None = None
) -> TeamScorecard:
    """The team scorecard: per-agent KPIs, composites, OKR and training results, team KPIs."""
    catalogue = current_catalogue()
    agents = team_agents(team.id)
    ids = [a.id for a in agents]
    previous_period = period.previous()
    current = aggregates.summaries_for_team(team.id, period.start, period.end)
    before = aggregates.summaries_for_team(team.id, previous_period.start, previous_period.end)
    training = training_summaries(ids, period.start, period.end, now)
    okr = okrs.okr_scores(ids, period.quarter)
    rows = []
    for agent in agents:
        training_summary = training[agent.id]
        summary = current.get(agent.id)
        values, _source = agent_values(
            summary, training_summary.roleplay_average, catalogue.roleplay_qa
        )
        previous, _src = agent_values(before.get(agent.id), None, "off")
        rows.append(
            TeamRow(
                agent=agent,
                summary=summary,
                values=values,
                statuses={k.key: kpi_status(k, values.get(k.key)) for k in catalogue.agent_kpis},
                composite=composite_score(catalogue.agent_kpis, values).score,
                previous_composite=composite_score(catalogue.agent_kpis, previous).score,
                okr_score=okr.get(agent.id),
                training=training_summary,
                level=(levels or {}).get(agent.id, ""),
            )
        )
    pooled_summary = aggregates.team_member_totals(team.id, period.start, period.end)
    pooled_values = dict(pooled_summary.values) if pooled_summary else {}
    pooled_before = aggregates.team_member_totals(
        team.id, previous_period.start, previous_period.end
    )
    series = aggregates.daily_team_series(team.id, period.start, period.end)
    team_values = aggregates.team_kpi_values(team.id, period.start, period.end)
    team_before = aggregates.team_kpi_values(team.id, previous_period.start, previous_period.end)
    return TeamScorecard(
        team=team,
        period=period,
        rows=rows,
        pooled=_lines(
            catalogue,
            pooled_values,
            pooled_before.values if pooled_before else {},
            series,
            period,
            None,
        ),
        pooled_composite=composite_score(catalogue.agent_kpis, pooled_values),
        team_lines=[
            KpiLine(
                k,
                team_values.get(k.key),
                team_before.get(k.key),
                kpi_status(k, team_values.get(k.key)),
                kpi_points(k, team_values.get(k.key)),
            )
            for k in catalogue.team_kpis
        ],
        kpis=catalogue.agent_kpis,
    )


STATUS_FILTERS = ("all", "missed", "watch", "met", "nodata")
SORT_KEYS = ("name", "conversations", "composite", "okr", "level", "missed")


def filter_rows(rows: list[TeamRow], query: str = "", status: str = "all") -> list[TeamRow]:
    """Rows whose agent name or email contains `query` and whose KPIs match the status filter."""
    needle = (query or "").strip().lower()
    out = []
    for row in rows:
        if (
            needle
            and needle not in row.agent.name.lower()
            and needle not in row.agent.email.lower()
        ):
            continue
        if status == "missed" and not row.missed:
            continue
        if status == "watch" and not (row.watch or row.missed):
            continue
        if status == "met" and (
            not row.has_data or row.missed or row.watch or NO_DATA in row.statuses.values()
        ):
            continue
        if status == "nodata" and row.has_data:
            continue
        out.append(row)
    return out


def sort_rows(
    rows: list[TeamRow], key: str, descending: bool, kpis: tuple[KpiDefinition, ...]
) -> list[TeamRow]:
    """Rows sorted by a column; rows without a value always come last."""
    by_kpi = {k.key: k for k in kpis}

    def value(row: TeamRow):
        if key == "name":
            return row.agent.name
        if key == "conversations":
            return row.conversations
        if key == "composite":
            return row.composite
        if key == "okr":
            return row.okr_score
        if key == "level":
            return row.level or None
        if key == "missed":
            return row.missed
        if key in by_kpi:
            return row.values.get(key)
        return row.agent.name

    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    present.sort(key=value, reverse=descending)
    return present + missing


def team_csv(scorecard: TeamScorecard, rows: list[TeamRow]) -> str:
    """The team scorecard as CSV (UTF-8 with BOM so Excel opens Chinese names correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    keys = [k.key for k in scorecard.kpis]
    writer.writerow(
        [
            "agent_email",
            "agent_name",
            "period_start",
            "period_end",
            "level",
            "conversations",
            *keys,
            "kpi_composite",
            "okr_score",
            "courses_completed",
            "valid_quiz_passes",
            "roleplay_average",
            "critical_failures",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                text_cell(row.agent.email),
                text_cell(row.agent.name),
                scorecard.period.start.isoformat(),
                scorecard.period.end.isoformat(),
                text_cell(row.level),
                row.conversations,
                *(_cell(row.values.get(k)) for k in keys),
                _cell(row.composite),
                _cell(row.okr_score),
                len(row.training.courses),
                len(row.training.valid_passes),
                _cell(row.training.roleplay_average),
                row.training.critical_failures,
            ]
        )
    return "\ufeff" + buffer.getvalue()


def _cell(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def all_teams() -> list[Team]:
    """Every team by name (admins choose one)."""
    return list(db.session.scalars(db.select(Team).order_by(Team.name)))
