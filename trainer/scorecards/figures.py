"""The one computation of an agent's figures for a period (docs/scoring.md).

The KPI values (with role-play grades feeding the QA score as configured), the QA (role-play)
score, the KPI composite and the KPI statuses are computed here and only here: the home page,
the scorecards, the team scorecard, the incentive ranking, the CSV exports and the JSON API all
call `agent_figures`, so a figure cannot differ between two pages showing the same period.
"""

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Select

from trainer.core import clock
from trainer.core.evidence import KpiSummary, RoleplayResult
from trainer.scorecards import aggregates
from trainer.scorecards.agentkpis import agent_summaries
from trainer.scorecards.catalogue import Catalogue, current_catalogue
from trainer.scorecards.periods import Period
from trainer.scorecards.scoring import (
    MISSED,
    Composite,
    composite_score,
    composite_value,
    kpi_status,
)
from trainer.scorecards.scoring import roleplay_average as average_of
from trainer.scorecards.services import agent_values
from trainer.scorecards.training import roleplay_results, roleplay_results_among


@dataclass(frozen=True)
class AgentFigures:
    """An agent's figures for one period, as every page shows them."""

    agent_id: int
    period: Period
    summary: KpiSummary | None
    values: dict[str, float]
    qa_source: str | None
    roleplays: tuple[RoleplayResult, ...]
    roleplay_average: float | None  # the QA (role-play) score
    composite: Composite
    statuses: dict[str, str]

    @property
    def conversations(self) -> int:
        return self.summary.conversations if self.summary else 0

    @property
    def days(self) -> int:
        return self.summary.days if self.summary else 0

    @property
    def missed(self) -> int:
        return sum(1 for status in self.statuses.values() if status == MISSED)

    @property
    def critical_failures(self) -> int:
        return sum(1 for play in self.roleplays if play.critical_failed)


@dataclass(frozen=True)
class AgentComposite:
    """The part of an agent's figures a ranking needs: conversations and the KPI composite."""

    agent_id: int
    has_kpis: bool  # KPI records in the period (without, there is no incentive score)
    conversations: int
    composite: float | None  # the same as AgentFigures.composite.score


def _values(
    summary: KpiSummary | None, plays: Sequence[RoleplayResult], catalogue: Catalogue
) -> tuple[float | None, dict[str, float], str | None]:
    average = average_of(p.total for p in plays)
    values, source = agent_values(summary, average, catalogue.roleplay_qa)
    return average, values, source


def _figures(
    agent_id: int,
    period: Period,
    summary: KpiSummary | None,
    plays: list[RoleplayResult],
    catalogue: Catalogue,
) -> AgentFigures:
    average, values, source = _values(summary, plays, catalogue)
    return AgentFigures(
        agent_id=agent_id,
        period=period,
        summary=summary,
        values=values,
        qa_source=source,
        roleplays=tuple(plays),
        roleplay_average=average,
        composite=composite_score(catalogue.agent_kpis, values),
        statuses={k.key: kpi_status(k, values.get(k.key)) for k in catalogue.agent_kpis},
    )


def agent_composites(
    agent_ids: Iterable[int], agents: Select, period: Period, team_id: int | None = None
) -> Iterator[AgentComposite]:
    """Every agent's composite for the period, the same computation as `agent_figures` (the
    same values, role-play QA and composite) without the per-agent detail a page shows: for
    ranking a whole organisation. `agents` selects the same ids in SQL (a team's or every
    agent), so thousands of ids are never sent back. One KPI GROUP BY statement (restricted to
    the team when given) and one role-play contract call; yields agent by agent."""
    ids = sorted(set(agent_ids))
    if not ids:
        return
    catalogue = current_catalogue()
    start, end = clock.range_bounds(period.start, period.end)
    if catalogue.roleplay_qa == "off":
        plays: dict[int, list[RoleplayResult]] = {}
    else:
        plays = roleplay_results_among(agents, since=start)
    summaries = aggregates.iter_summaries(period.start, period.end, team_id)
    with contextlib.closing(summaries):
        yield from _merged(ids, summaries, plays, start, end, catalogue)


def _merged(ids, summaries, plays, start, end, catalogue) -> Iterator[AgentComposite]:
    """Each agent's composite from the id-ordered KPI summaries and their role-play results."""
    pending = next(summaries, None)  # merge the id-ordered summaries with the sorted ids
    for uid in ids:
        while pending is not None and pending[0] < uid:
            pending = next(summaries, None)
        summary = pending[1] if pending is not None and pending[0] == uid else None
        found = [p for p in plays.get(uid, ()) if start <= p.ended_at < end]
        _average, values, _source = _values(summary, found, catalogue)
        yield AgentComposite(
            agent_id=uid,
            has_kpis=summary is not None,
            conversations=summary.conversations if summary else 0,
            composite=composite_value(catalogue.agent_kpis, values),
        )


def agent_figures(agent_ids: Iterable[int], period: Period) -> dict[int, AgentFigures]:
    """Figures per agent for the period: one KPI query and one role-play contract call."""
    return agent_figures_for_periods(agent_ids, [period])[0]


def agent_figures_for_periods(
    agent_ids: Iterable[int], periods: Sequence[Period]
) -> list[dict[int, AgentFigures]]:
    """Figures per agent for each period (say a month and the one before): one KPI statement
    and one role-play contract call whatever the number of periods and agents."""
    ids = sorted(set(agent_ids))
    if not ids:
        return [{} for _period in periods]
    catalogue = current_catalogue()
    windows = [(period.start, period.end) for period in periods]
    if len(ids) == 1:  # one agent's page: shared with its other panels (agentkpis)
        summaries = [{ids[0]: s} if s else {} for s in agent_summaries(ids[0], windows)]
    else:
        summaries = aggregates.summaries_for_windows(ids, windows)
    bounds = [clock.range_bounds(start, end) for start, end in windows]  # the org's days
    plays = roleplay_results(ids, since=min(start for start, _end in bounds))
    return [
        {
            uid: _figures(
                uid,
                period,
                found.get(uid),
                [p for p in plays.get(uid, []) if start <= p.ended_at < end],
                catalogue,
            )
            for uid in ids
        }
        for period, found, (start, end) in zip(periods, summaries, bounds, strict=True)
    ]


def figures_for(agent_id: int, period: Period) -> AgentFigures:
    """One agent's figures for the period."""
    return agent_figures([agent_id], period)[agent_id]


def team_pooled(team_id: int, period: Period) -> tuple[KpiSummary | None, Composite]:
    """The team's members' KPI days pooled over the period, and the composite of those values."""
    pooled = aggregates.team_member_totals(team_id, period.start, period.end)
    values = dict(pooled.values) if pooled else {}
    return pooled, composite_score(current_catalogue().agent_kpis, values)


def figures_json(figures: AgentFigures) -> dict:
    """The figures as the JSON API returns them (same rounding as the pages)."""
    return {
        "period": {
            "kind": figures.period.kind,
            "start": figures.period.start.isoformat(),
            "end": figures.period.end.isoformat(),
            "timezone": clock.zone_name(),
        },
        "conversations": figures.conversations,
        "kpi_values": figures.values,
        "kpi_statuses": figures.statuses,
        "kpi_composite": figures.composite.score,
        "qa_source": figures.qa_source,
        "roleplay_qa_score": figures.roleplay_average,
        "roleplay_sessions": len(figures.roleplays),
    }
