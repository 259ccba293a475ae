"""KPI aggregation in SQL: conversation-weighted means, the kpi_summary contract."""

from datetime import date

import pytest

from trainer.scorecards import aggregates
from trainer.scorecards.services import agent_values, kpi_summary


def test_weighted_means_match_hand_computation(app, make_user, add_kpi):
    agent = make_user("agent")
    add_kpi(
        agent,
        date(2026, 11, 1),
        conversations=100,
        first_response_seconds=40,
        csat=4.0,
        csat_responses=10,
        qa_score=80,
    )
    add_kpi(
        agent,
        date(2026, 11, 2),
        conversations=300,
        first_response_seconds=20,
        csat=5.0,
        csat_responses=30,
    )
    add_kpi(agent, date(2026, 11, 3), conversations=0)  # a day off: counts as a day, weighs 0
    add_kpi(agent, date(2026, 10, 31), conversations=999, first_response_seconds=500)  # outside
    summary = kpi_summary([agent.id], date(2026, 11, 1), date(2026, 11, 30))[agent.id]
    assert summary.conversations == 400
    assert summary.days == 3
    assert summary.values["first_response_time"] == pytest.approx((40 * 100 + 20 * 300) / 400)  # 25
    assert summary.values["csat"] == pytest.approx((4 * 10 + 5 * 30) / 40)  # 4.75 by ratings
    assert summary.values["qa_score"] == pytest.approx(80)
    assert "resolution_rate" not in summary.values  # no figure at all


def test_csat_weight_falls_back_to_conversations(app, make_user, add_kpi):
    agent = make_user("agent")
    add_kpi(agent, date(2026, 11, 1), conversations=100, csat=4.0)
    add_kpi(agent, date(2026, 11, 2), conversations=300, csat=5.0)
    summary = kpi_summary([agent.id], date(2026, 11, 1), date(2026, 11, 2))[agent.id]
    assert summary.values["csat"] == pytest.approx(4.75)


def test_agents_without_records_are_left_out(app, make_user, add_kpi):
    one, two = make_user("agent"), make_user("agent")
    add_kpi(one, date(2026, 11, 1))
    assert set(kpi_summary([one.id, two.id], date(2026, 11, 1), date(2026, 11, 1))) == {one.id}
    assert kpi_summary([], date(2026, 11, 1), date(2026, 11, 1)) == {}


def test_team_pooled_figures(app, make_team, make_user, add_kpi, add_team_kpi):
    team = make_team()
    a, b = make_user("agent", team=team), make_user("agent", team=team)
    outsider = make_user("agent")
    add_kpi(a, date(2026, 11, 1), conversations=100, resolution_rate=90)
    add_kpi(b, date(2026, 11, 1), conversations=300, resolution_rate=98)
    add_kpi(outsider, date(2026, 11, 1), conversations=1000, resolution_rate=10)
    pooled = aggregates.team_member_totals(team.id, date(2026, 11, 1), date(2026, 11, 30))
    assert pooled.conversations == 400
    assert pooled.values["resolution_rate"] == pytest.approx(96.0)  # (9000 + 29400) / 400
    per_agent = aggregates.summaries_for_team(team.id, date(2026, 11, 1), date(2026, 11, 30))
    assert set(per_agent) == {a.id, b.id}
    add_team_kpi(team, date(2026, 11, 1), cost_saving_rate=12, churn_rate=6)
    add_team_kpi(team, date(2026, 11, 2), cost_saving_rate=14)
    values = aggregates.team_kpi_values(team.id, date(2026, 11, 1), date(2026, 11, 30))
    assert values == {"cost_saving_rate": pytest.approx(13.0), "churn_rate": pytest.approx(6.0)}


def test_roleplay_grades_feed_the_qa_score(app):
    from trainer.core.evidence import KpiSummary

    helpdesk = KpiSummary(values={"qa_score": 90.0}, conversations=10, days=1)
    without = KpiSummary(values={"csat": 4.5}, conversations=10, days=1)
    assert agent_values(without, 70.0, "fallback") == ({"csat": 4.5, "qa_score": 70.0}, "roleplay")
    assert agent_values(helpdesk, 70.0, "fallback") == ({"qa_score": 90.0}, "helpdesk")
    assert agent_values(helpdesk, 70.0, "blend") == ({"qa_score": 80.0}, "blend")
    assert agent_values(without, 70.0, "off") == ({"csat": 4.5}, None)
    assert agent_values(None, None, "fallback") == ({}, None)
