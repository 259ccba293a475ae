"""One agent's KPI windows are read together, and agree with the per-window aggregates."""

from datetime import date

from tests.scorecards.conftest import GOOD_DAY
from trainer.scorecards import aggregates
from trainer.scorecards.agentkpis import agent_summaries
from trainer.scorecards.home import month_window


def test_windows_of_one_agent_share_one_statement_in_a_get(
    app, make_user, fill_days, add_kpi, count_queries, frozen_today
):
    agent = make_user("agent")
    fill_days(agent, date(2026, 11, 19), 60, **GOOD_DAY)
    add_kpi(agent, date(2026, 11, 20), conversations=10, csat=3.1, csat_responses=5)
    october = (date(2026, 10, 1), date(2026, 10, 31))
    last_30 = (date(2026, 10, 22), date(2026, 11, 20))
    month = month_window(date(2026, 11, 20))
    expected = {
        w: aggregates.summaries_for_agents([agent.id], *w).get(agent.id)
        for w in (october, last_30, month)
    }
    with app.test_request_context("/", method="GET"), count_queries() as counter:
        app.preprocess_request()  # opens the request's memo, as dispatching does
        counter.statements.clear()  # the session lookup is not what is measured
        first = agent_summaries(agent.id, [october])
        second = agent_summaries(agent.id, [last_30, month])  # the registered windows: read
    kpi_statements = [s for s in counter.statements if "kpi_records" in s]
    assert len(kpi_statements) == 1, kpi_statements
    assert first == [expected[october]]
    assert second == [expected[last_30], expected[month]]
    assert expected[month].conversations == 19 * 80 + 10

    # Outside a GET request every read goes to the database afresh, with the same figures.
    with count_queries() as counter:
        assert agent_summaries(agent.id, [october, month]) == [expected[october], expected[month]]
        assert agent_summaries(agent.id, [october]) == [expected[october]]
    assert len([s for s in counter.statements if "kpi_records" in s]) == 2
