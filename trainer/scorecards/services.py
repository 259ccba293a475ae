"""Public API of scorecards for certification (KPI and OKR results), and shared value helpers."""

from collections.abc import Iterable
from datetime import date

from trainer.core.evidence import KpiSummary
from trainer.scorecards import aggregates, okrs
from trainer.scorecards.agentkpis import agent_summaries
from trainer.scorecards.periods import previous_quarter, quarter_of


def kpi_summary(user_ids: Iterable[int], start: date, end: date) -> dict[int, KpiSummary]:
    """KPI values per agent over [start, end] (days inclusive); agents without records left out."""
    ids = list(set(user_ids))
    if len(ids) == 1:  # one agent's page: read with the page's other windows (agentkpis)
        (found,) = agent_summaries(ids[0], [(start, end)])
        return {ids[0]: found} if found is not None else {}
    return aggregates.summaries_for_agents(ids, start, end)


def okr_score(user_id: int, quarter: str) -> float | None:
    """The score 0.0-1.0 of the agent's approved OKRs for the quarter ("2026-Q4"), else None."""
    return okrs.okr_scores([user_id], quarter).get(user_id)


def okr_scores(user_ids: Iterable[int], quarter: str) -> dict[int, float]:
    """Scores of approved OKRs for the quarter per agent, in a bounded number of queries."""
    return okrs.okr_scores(user_ids, quarter)


def latest_okr_scores(user_ids: list[int], on: date) -> dict[int, float]:
    """This quarter's approved OKR score per agent, else last quarter's."""
    this_quarter = quarter_of(on)
    scores = okrs.okr_scores(user_ids, previous_quarter(this_quarter))
    scores.update(okrs.okr_scores(user_ids, this_quarter))
    return scores


def agent_values(
    summary: KpiSummary | None, roleplay_average: float | None, mode: str
) -> tuple[dict[str, float], str | None]:
    """The agent's KPI values with role-play grades feeding the QA score as configured.

    Returns the values and where the QA score came from: "helpdesk", "roleplay", "blend" or None.
    """
    values = dict(summary.values) if summary else {}
    helpdesk = values.get("qa_score")
    source = "helpdesk" if helpdesk is not None else None
    if mode == "fallback" and helpdesk is None and roleplay_average is not None:
        values["qa_score"], source = roleplay_average, "roleplay"
    elif mode == "blend" and roleplay_average is not None:
        if helpdesk is None:
            values["qa_score"], source = roleplay_average, "roleplay"
        else:
            values["qa_score"], source = round((helpdesk + roleplay_average) / 2, 2), "blend"
    return values, source
