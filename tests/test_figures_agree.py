"""Every figure a user sees is the same on every page, export, API and CLI (docs/scoring.md).

After `flask seed-demo`, each demo agent and the demo manager read the KPI composite, the
role-play QA score, the incentive score and the level progress from every place that shows
them. Adding a page that shows a figure means adding a row to SOURCES.
"""

import csv
import io
import json
import re
from datetime import UTC, datetime

import pytest
import time_machine

from tests.conftest import PASSWORD, login
from trainer.accounts.models import User
from trainer.accounts.services import get_user_by_email
from trainer.extensions import db
from trainer.scorecards.demo import TEAMMATES

AGENTS = ["agent@demo.trainer"] + [email for email, _name, _skill in TEAMMATES]
NOW = datetime(2026, 12, 4, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai (the December)


def _testid(html: str, testid: str, where: str = "") -> str:
    """The text inside the element with `data-testid` (after the marker `where`, if given)."""
    start = html.index(where) if where else 0
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</', html[start:], re.S)
    assert match, f"no {testid} on the page"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def _attrs(html: str, testid: str) -> dict[str, str]:
    match = re.search(rf'data-testid="{testid}"([^>]*)>', html)
    assert match, f"no {testid} on the page"
    return dict(re.findall(r'data-(\w+)="([^"]*)"', match.group(1)))


def _number(text: str) -> float | None:
    text = text.strip()
    return None if text in ("", "—") else float(text)


def _csv_row(body: str, email: str) -> dict:
    rows = csv.DictReader(io.StringIO(body.lstrip("\ufeff")))
    return next(r for r in rows if r["agent_email"] == email)


# ---------------------------------------------------------------- readers, one per place


def home(c, agent):
    html = c.agent.get("/").get_data(as_text=True)
    level = _attrs(html, "home-level")
    return {
        "kpi_composite": _number(_testid(html, "home-kpi-composite")),
        "level": level["level"],
        "requirements": (level.get("met"), level.get("total")),
    }


def _scorecard(html: str) -> dict:
    return {
        "kpi_composite": _number(_testid(html, "kpi-composite")),
        "roleplay_qa": _number(_testid(html, "roleplay-average")),
        "quiz_passes": _number(_testid(html, "valid-passes")),
    }


def own_scorecard(c, agent):
    return _scorecard(c.agent.get("/scorecards/").get_data(as_text=True))


def managers_scorecard(c, agent):
    return _scorecard(c.manager.get(f"/scorecards/agents/{agent.id}").get_data(as_text=True))


def team_scorecard(c, agent):
    html = c.manager.get("/scorecards/team").get_data(as_text=True)
    marker = f'data-agent="{agent.email}"'
    return {
        "kpi_composite": _number(_testid(html, "row-composite", marker)),
        "roleplay_qa": _number(_testid(html, "row-roleplay", marker)),
        "quiz_passes": _number(_testid(html, "row-quiz-passes", marker)),
    }


def team_csv(c, agent):
    row = _csv_row(c.manager.get("/scorecards/team.csv").get_data(as_text=True), agent.email)
    return {
        "kpi_composite": _number(row["kpi_composite"]),
        "roleplay_qa": _number(row["roleplay_average"]),
        "quiz_passes": _number(row["valid_quiz_passes"]),
    }


def own_api(c, agent):
    data = c.agent.get("/scorecards/figures.json").get_json()
    return {"kpi_composite": data["kpi_composite"], "roleplay_qa": data["roleplay_qa_score"]}


def managers_api(c, agent):
    data = c.manager.get(f"/scorecards/agents/{agent.id}/figures.json").get_json()
    return {"kpi_composite": data["kpi_composite"], "roleplay_qa": data["roleplay_qa_score"]}


def own_incentive(c, agent):
    html = c.agent.get("/scorecards/incentives/me").get_data(as_text=True)
    return {"incentive": _number(_testid(html, "incentive-score"))}


def managers_incentive(c, agent):
    html = c.manager.get(f"/scorecards/incentives/agents/{agent.id}").get_data(as_text=True)
    return {"incentive": _number(_testid(html, "incentive-score"))}


def incentive_csv(c, agent):
    row = _csv_row(c.manager.get("/scorecards/incentives.csv").get_data(as_text=True), agent.email)
    return {
        "kpi_composite": _number(row["kpi_composite"]),
        "incentive": _number(row["incentive_score"]),
    }


def _level_page(html: str) -> dict:
    met = _attrs(html, "requirements-met")
    missing = re.findall(
        r'class="requirement missing" data-kind="([^"]+)" data-key="([^"]+)"', html
    )
    return {"requirements": (met["met"], met["total"]), "missing": frozenset(missing)}


def own_level_page(c, agent):
    return _level_page(c.agent.get("/certification/").get_data(as_text=True))


def managers_level_page(c, agent):
    return _level_page(c.manager.get(f"/certification/agents/{agent.id}").get_data(as_text=True))


def cert_evaluate(c, agent):
    result = c.runner.invoke(args=["cert", "evaluate", "--email", agent.email])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    total = len(data["met"]) + len(data["missing"])
    return {
        "level": data["level"],
        "requirements": (str(len(data["met"])), str(total)),
        "missing": frozenset((m["kind"], m["key"]) for m in data["missing"]),
    }


SOURCES = [
    home,
    own_scorecard,
    managers_scorecard,
    team_scorecard,
    team_csv,
    own_api,
    managers_api,
    own_incentive,
    managers_incentive,
    incentive_csv,
    own_level_page,
    managers_level_page,
    cert_evaluate,
]


class Clients:
    """A signed-in client for the agent and one for the manager, and the CLI runner."""

    def __init__(self, app, agent: User, password: str, manager: User):
        self.agent, self.manager = app.test_client(), app.test_client()
        login(self.agent, agent, password)
        login(self.manager, manager, "Lead-Team-2026")
        self.runner = app.test_cli_runner()


@pytest.fixture(scope="module")
def travel():
    """Freeze the clock for the whole module (the demo is seeded relative to today)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize("email", AGENTS)
def test_every_place_shows_the_same_figures(app, runner, travel, email):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    agent = get_user_by_email(email)
    if email != "agent@demo.trainer":  # teammates have random passwords: give them one
        from trainer.accounts.passwords import hash_password

        agent.password_hash = hash_password(PASSWORD)
        db.session.commit()
    password = "Learn-2-Serve-2026" if email == "agent@demo.trainer" else PASSWORD
    clients = Clients(app, agent, password, get_user_by_email("manager@demo.trainer"))
    seen: dict[str, dict[str, object]] = {}
    for source in SOURCES:
        for figure, value in source(clients, agent).items():
            seen.setdefault(figure, {})[source.__name__] = value
    assert set(seen) == {
        "kpi_composite",
        "roleplay_qa",
        "quiz_passes",
        "incentive",
        "level",
        "requirements",
        "missing",
    }
    for figure, by_source in seen.items():
        assert len(set(by_source.values())) == 1, f"{figure} differs: {by_source}"
    assert seen["kpi_composite"]["home"] is not None  # the demo has figures this month
