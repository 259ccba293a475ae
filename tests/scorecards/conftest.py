"""Builders for scorecard tests: KPI records, OKR sets, tokens, a fixed 'today'."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from flask_babel import force_locale

from trainer.extensions import db
from trainer.scorecards import okrs
from trainer.scorecards.models import KpiRecord, TeamKpiRecord

TODAY = date(2026, 11, 20)  # a Friday in Q4, just after Double 11


@pytest.fixture
def frozen_today(app):
    """Freeze the clock at 2026-11-20 10:00 UTC so periods and quarters are predictable."""
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def add_kpi(app):
    """Add one agent-day of KPI figures: add_kpi(agent, day, conversations=..., csat=...)."""

    def build(agent, day: date, conversations: int = 100, **values):
        record = KpiRecord(agent_id=agent.id, day=day, conversations=conversations, **values)
        db.session.add(record)
        db.session.commit()
        return record

    return build


@pytest.fixture
def add_team_kpi(app):
    """Add one team-day of figures (cost saving, churn)."""

    def build(team, day: date, **values):
        record = TeamKpiRecord(team_id=team.id, day=day, **values)
        db.session.add(record)
        db.session.commit()
        return record

    return build


@pytest.fixture
def fill_days(add_kpi):
    """Give an agent `days` days of identical figures ending on `end`."""

    def build(agent, end: date, days: int, **values):
        for i in range(days):
            add_kpi(agent, end - timedelta(days=i), **values)

    return build


GOOD_DAY = {
    "conversations": 80,
    "first_response_seconds": 25.0,
    "response_rate": 99.0,
    "resolution_rate": 98.5,
    "csat": 4.7,
    "csat_responses": 30,
    "repeat_contact_rate": 6.0,
    "qa_score": 92.0,
}


@pytest.fixture
def make_okrs(app):
    """Create an agent's OKR set for a quarter, optionally submitted and approved by a manager."""

    def build(agent, quarter: str, objectives=None, status: str = "draft", manager=None):
        objectives = objectives or [
            okrs.ObjectiveInput(
                "Quick replies", [okrs.KeyResultInput("Templates written", target=50)]
            )
        ]
        okr_set = okrs.save_draft(agent, quarter, objectives)
        if status in ("submitted", "approved", "returned"):
            okrs.submit_set(okr_set, agent)
        if status == "approved":
            okrs.approve_set(okr_set, manager)
        if status == "returned":
            okrs.return_set(okr_set, manager, "Make it measurable")
        db.session.commit()
        return okr_set

    return build


@pytest.fixture
def team_with_agents(make_team, make_user):
    """A team with a manager and `n` agents: returns (team, manager, agents)."""

    def build(n: int = 3, name: str | None = None):
        manager = make_user("manager")
        team = make_team(name, manager)
        agents = [make_user("agent", team=team, name=f"Agent {i:02d}") for i in range(n)]
        db.session.commit()
        return team, manager, agents

    return build


@pytest.fixture
def english(app):
    """Messages built outside a request in English, so tests can read them."""
    with force_locale("en"):
        yield


def follow_pages(client, path: str, params: dict, name: str, pages: int) -> tuple[list, list]:
    """Open `pages` cursor pages of a scorecard list (?after=<the next link's cursor>): the
    agents' emails in the order shown and each page's HTML; the last page has no next link."""
    seen, bodies, after = [], [], None
    for _page in range(pages):
        query = {**params, **({"after": after} if after else {})}
        body = client.get(path, query_string=query).get_data(as_text=True)
        bodies.append(body)
        seen += re.findall(r'<tr data-agent="([^"]+)"', body)
        assert f'data-testid="{name}-pager"' in body
        found = re.search(rf'after=(\d+)[^"]*" data-testid="{name}-next"', body)
        after = found and found.group(1)
    assert after is None
    return seen, bodies


@pytest.fixture
def rising_csat_client(app, team_with_agents, fill_days, frozen_today):
    """Five agents whose November CSAT rises with their number, and a client signed in as
    their manager: (client, agents)."""
    from tests.conftest import login

    _team, manager, agents = team_with_agents(5)
    for n, agent in enumerate(agents):
        fill_days(agent, date(2026, 11, 19), 2, **{**GOOD_DAY, "csat": 4.0 + n / 10})
    client = app.test_client()
    login(client, manager)
    return client, agents
