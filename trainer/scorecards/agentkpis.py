"""One agent's KPI summaries over several windows, in one statement per page.

An agent's pages read the same agent's KPIs over more than one window: the home page's
scorecard panel (this month) and level panel (the ladder's KPI window), a scorecard (a period
and the one before). Features register the windows their panels read (`register_window`, at
start-up); during a GET request the first read of one agent's KPIs fetches the windows asked for
and every registered one in one statement (aggregates.summaries_for_windows), and later reads of
those windows in the same request reuse the result.
"""

from collections.abc import Callable, Sequence
from datetime import date

from flask import Flask, current_app

from trainer.core import clock
from trainer.core.evidence import KpiSummary
from trainer.core.memo import memo_active, request_memo
from trainer.scorecards import aggregates

Window = tuple[date, date]
WindowSource = Callable[[date], Window]  # the organisation's today → a window (days inclusive)
_KEY = "trainer_agent_kpi_windows"


def register_window(app: Flask, source: WindowSource) -> None:
    """A window agents' pages read (say this month); fetched with any other one agent read."""
    app.extensions.setdefault(_KEY, []).append(source)


def agent_summaries(agent_id: int, windows: Sequence[Window]) -> list[KpiSummary | None]:
    """The agent's KPI summary for each window (None without records)."""
    if not memo_active():
        found = aggregates.summaries_for_windows([agent_id], windows)
        return [by_agent.get(agent_id) for by_agent in found]
    store: dict[Window, KpiSummary | None] = request_memo(("kpi.windows", agent_id), dict)
    missing = [w for w in windows if w not in store]
    if missing:
        today = clock.today()
        registered = [source(today) for source in current_app.extensions.get(_KEY, [])]
        fetch = list(dict.fromkeys([*missing, *(w for w in registered if w not in store)]))
        for window, by_agent in zip(
            fetch, aggregates.summaries_for_windows([agent_id], fetch), strict=True
        ):
            store[window] = by_agent.get(agent_id)
    return [store[w] for w in windows]
