"""The team scorecard for a manager: a row per agent, pooled team figures, filters, CSV.

Each agent's figures come from figures.agent_figures, the computation the agent's own scorecard,
the home page and the API share.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from trainer.accounts.models import Team, User
from trainer.core.evidence import KpiSummary
from trainer.extensions import db
from trainer.scorecards import aggregates, okrs
from trainer.scorecards.catalogue import KpiDefinition, current_catalogue
from trainer.scorecards.csvcells import csv_lines, text_cell
from trainer.scorecards.figures import AgentFigures, agent_figures, team_pooled
from trainer.scorecards.periods import Period
from trainer.scorecards.scorecard import KpiLine, kpi_lines
from trainer.scorecards.scoring import (
    MISSED,
    NO_DATA,
    WATCH,
    Composite,
    kpi_points,
    kpi_status,
)
from trainer.scorecards.training import TrainingSummary, training_summaries


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
    figures: AgentFigures | None = None
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
    current = agent_figures(ids, period)
    before = agent_figures(ids, previous_period)
    training = training_summaries(ids, period.start, period.end, now)
    okr = okrs.okr_scores(ids, period.quarter)
    rows = []
    for agent in agents:
        figures = current[agent.id]
        training[agent.id].roleplays = list(figures.roleplays)
        rows.append(
            TeamRow(
                agent=agent,
                summary=figures.summary,
                values=figures.values,
                statuses=figures.statuses,
                composite=figures.composite.score,
                previous_composite=before[agent.id].composite.score,
                okr_score=okr.get(agent.id),
                training=training[agent.id],
                figures=figures,
                level=(levels or {}).get(agent.id, ""),
            )
        )
    pooled_summary, pooled_composite = team_pooled(team.id, period)
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
        pooled=kpi_lines(
            catalogue,
            pooled_values,
            pooled_before.values if pooled_before else {},
            series,
            period,
            None,
        ),
        pooled_composite=pooled_composite,
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


PAGE_SIZE = 50  # agents per page of the team scorecard (a peak season's temporary team is long)
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


TEAM_CSV_HEADER = (
    "agent_email",
    "agent_name",
    "period_start",
    "period_end",
    "level",
    "conversations",
)
TEAM_CSV_TRAILER = (
    "kpi_composite",
    "okr_score",
    "courses_completed",
    "valid_quiz_passes",
    "roleplay_average",
    "critical_failures",
)


def team_csv(scorecard: TeamScorecard, rows: list[TeamRow]) -> Iterator[str]:
    """The team scorecard as CSV lines, for a streamed response (UTF-8 with BOM for Excel)."""
    keys = [k.key for k in scorecard.kpis]
    header = [*TEAM_CSV_HEADER, *keys, *TEAM_CSV_TRAILER]
    return csv_lines(header, (_csv_row(scorecard, row, keys) for row in rows))


def _csv_row(scorecard: TeamScorecard, row: TeamRow, keys: list[str]) -> list:
    return [
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
        _cell(row.figures.roleplay_average if row.figures else None),
        row.training.critical_failures,
    ]


def _cell(value: float | None) -> str:
    """A figure as the pages print it (scores are already rounded once, docs/scoring.md)."""
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def all_teams() -> list[Team]:
    """Every team by name (admins choose one)."""
    return list(db.session.scalars(db.select(Team).order_by(Team.name)))
