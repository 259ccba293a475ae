"""The organisation-wide incentive ranking: its light scores agree with the full rows, pages
follow a stable agent cursor, the CSV is built chunk by chunk, query counts stay constant."""

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
import time_machine

from tests.conftest import login
from tests.scorecards.conftest import GOOD_DAY, follow_pages
from trainer.accounts.models import User
from trainer.extensions import db
from trainer.scorecards import incentives
from trainer.scorecards.levels import agent_levels
from trainer.scorecards.periods import parse_period

NOV = {"period": "month", "on": "2026-11-01"}
DEMO_NOW = datetime(2026, 12, 4, 1, 30, tzinfo=UTC)


def _previous_ranking(rows):
    """The ranking as the previous all-Python build_report ordered it: best score first, equal
    scores share a rank, by name; agents without a score last, by name."""
    ranked = sorted(
        (r for r in rows if r.breakdown), key=lambda r: (-r.breakdown.score, r.agent.name)
    )
    ranks, previous, rank = {}, None, 0
    for position, row in enumerate(ranked, start=1):
        if row.breakdown.score != previous:
            rank, previous = position, row.breakdown.score
        ranks[row.agent.id] = rank
    rest = sorted((r for r in rows if not r.breakdown), key=lambda r: r.agent.name)
    return [
        (r.agent.id, r.breakdown.score if r.breakdown else None, ranks.get(r.agent.id))
        for r in ranked + rest
    ]


@pytest.fixture
def varied(app, runner, make_team, make_user, add_kpi, make_okrs):
    """The demo organisation (role-play grades feeding QA, OKRs, certified levels) plus agents
    with thin data, no data, equal scores and only some KPIs, in a second team."""
    with time_machine.travel(DEMO_NOW, tick=False):
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        manager = make_user("manager")
        team = make_team("Extra", manager)
        twins = [make_user("agent", team=team, name=f"Twin {n}") for n in (2, 1)]
        thin = make_user("agent", team=team, name="Thin")
        make_user("agent", team=team, name="Nobody")
        partial = make_user("agent", team=team, name="Partial")
        for day in (date(2026, 12, 1), date(2026, 12, 2)):
            for twin in twins:
                add_kpi(twin, day, **GOOD_DAY)
            add_kpi(thin, day, conversations=10, csat=4.0)
            add_kpi(partial, day, conversations=70, csat=4.2, response_rate=93.5)
        make_okrs(twins[0], "2026-Q4", status="approved", manager=manager)
        yield team


@pytest.mark.parametrize("period", ["month", "quarter", "week"])
def test_ranking_scores_equal_the_full_rows(app, varied, period):
    """build_ranking's light pass (one GROUP BY, plain OKR and role-play rows) gives every agent
    the score and rank the full per-agent rows (agent_figures, as before) give."""
    with time_machine.travel(DEMO_NOW, tick=False), app.test_request_context("/"):
        the_period = parse_period(period, None, DEMO_NOW.date())
        agents = list(db.session.scalars(db.select(User).where(User.role == "agent")))
        levels = agent_levels([a.id for a in agents], DEMO_NOW.date())
        assert {m for _label, m in levels.values()} != {1.0}  # some certified multipliers
        full = incentives.full_rows(agents, the_period, levels)
        if period == "month":  # this month some demo agents have role-play grades, no QA
            assert any(r.qa_source == "roleplay" for r in full)
        assert {r.excluded for r in full} >= {None, incentives.NO_DATA}
        ranking = incentives.build_ranking(None, the_period, levels)
        got = [(e.agent_id, e.score, e.rank) for e in ranking.entries]
        assert got == _previous_ranking(full)
        rows = incentives.entry_rows(ranking.entries, the_period, levels)
        assert [(r.agent.id, r.breakdown and r.breakdown.score, r.rank) for r in rows] == got


def test_equal_scores_share_a_rank_and_order_by_name(app, varied):
    with time_machine.travel(DEMO_NOW, tick=False), app.test_request_context("/"):
        ranking = incentives.build_ranking(
            varied.id, parse_period("month", None, DEMO_NOW.date()), {}
        )
    got = [(e.name, e.rank) for e in ranking.entries]
    # the twins' equal scores share rank 1 (an approved OKR set without progress counts as 0,
    # like none) and are ordered by name; agents without a score come last, by name
    assert got == [("Twin 1", 1), ("Twin 2", 1), ("Partial", 3), ("Nobody", None), ("Thin", None)]
    assert ranking.entries[0].score == ranking.entries[1].score


def test_pages_follow_the_cursor(rising_csat_client, monkeypatch):
    """Pages of 2: ?after=<last agent> gives the next page; together they are the ranking once
    each, in order; the pager says where we are, in Chinese by default."""
    monkeypatch.setattr(incentives, "PAGE_SIZE", 2)
    client, agents = rising_csat_client
    seen, bodies = follow_pages(client, "/scorecards/incentives", NOV, "ranking", 3)
    assert all("共 5 名客服" in body for body in bodies)
    last = agents[0].id  # the last agent's cursor, or an unknown one, starts again at the top
    for cursor in (last, 999_999):
        body = client.get("/scorecards/incentives", query_string={**NOV, "after": cursor})
        assert re.findall(r'<tr data-agent="([^"]+)"', body.get_data(as_text=True)) == seen[:2]
    assert sorted(seen) == sorted(a.email for a in agents) and len(seen) == 5
    # best CSAT first: the agents were given rising CSAT
    assert seen == [a.email for a in reversed(agents)]


def test_csv_built_in_chunks_equals_one_chunk(app, team_with_agents, fill_days, frozen_today):
    _team, _manager, agents = team_with_agents(5)
    for n, agent in enumerate(agents):
        fill_days(agent, date(2026, 11, 19), 2, **{**GOOD_DAY, "csat": 4.0 + n / 10})
    with app.test_request_context("/"):
        period = parse_period("month", "2026-11-01", date(2026, 11, 20))
        ranking = incentives.build_ranking(None, period, {})
        whole = list(incentives.incentive_csv(ranking, {}, chunk=500))
        chunked = list(incentives.incentive_csv(ranking, {}, chunk=2))
    assert whole == chunked
    rows = list(csv.DictReader(io.StringIO("".join(whole).lstrip("\ufeff"))))
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4", "5"]


def test_ranking_query_count_does_not_grow_with_agents(
    app, team_with_agents, fill_days, count_queries, frozen_today, login_as
):
    """The ranking page (one page of agents) and its first CSV chunk issue as many queries for
    3 agents as for 12, for a manager's team and for an admin's whole organisation."""
    admin, _user = login_as("admin")
    counts = {"team": [], "all": [], "csv": []}
    for size in (3, 12):
        _team, manager, agents = team_with_agents(size)
        for agent in agents:
            fill_days(agent, date(2026, 11, 19), 2, **GOOD_DAY)
        client = app.test_client()
        login(client, manager)
        for key, who, path, extra in (
            ("team", client, "/scorecards/incentives", {}),
            ("all", admin, "/scorecards/incentives", {"team": "all"}),
            ("csv", admin, "/scorecards/incentives.csv", {"team": "all"}),
        ):
            who.get(path, query_string={**NOV, **extra})  # warm-up (session touch, caches)
            with count_queries() as counter:
                response = who.get(path, query_string={**NOV, **extra})
                assert response.status_code == 200
                response.get_data()
            counts[key].append(counter.count)
    for key, (small, large) in counts.items():
        assert small == large, (key, counts)
    assert counts["all"][0] <= 20, counts
