"""The staff menu comes in at most six groups, agents keep a flat menu, and every home page
lists what waits for the user's action before anything else."""

import re

import pytest
from flask import Flask, url_for

from tests.conftest import login
from trainer.accounts.services import get_user_by_email
from trainer.core.features import (
    DEFAULT_GROUP,
    NAV_GROUPS,
    SYSTEM,
    ActionItem,
    add_action_source,
    add_nav,
)

DEMO = {
    "agent": ("agent@demo.trainer", "Learn-2-Serve-2026"),
    "trainer": ("trainer@demo.trainer", "Teach-Well-2026"),
    "manager": ("manager@demo.trainer", "Lead-Team-2026"),
    "admin": ("admin@demo.trainer", "Keep-Safe-2026"),
}


# Every test here reads the shipped content and the demo users with their history.
pytestmark = pytest.mark.seeded("content sync", "seed-demo")


@pytest.fixture
def demo(app):
    """The demo data of the module's `seeded` mark (its agent: the data is there)."""
    agent = get_user_by_email(DEMO["agent"][0])
    assert agent is not None
    return agent


def _home(app, role):
    email, password = DEMO[role]
    client = app.test_client()
    login(client, get_user_by_email(email), password)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_add_nav_keeps_its_old_signature_and_refuses_unknown_groups():
    app = Flask(__name__)
    app.extensions["trainer_nav"] = []
    add_nav(app, "x.index", "X", {"admin"}, 50)  # a feature that names no group
    add_nav(app, "y.index", "Y", {"admin"}, order=60, group=SYSTEM)
    assert [i.group for i in app.extensions["trainer_nav"]] == [DEFAULT_GROUP, SYSTEM]
    with pytest.raises(ValueError, match="unknown navigation group"):
        add_nav(app, "z.index", "Z", {"admin"}, group="misc")


@pytest.mark.parametrize("role", ["trainer", "manager", "admin"])
def test_staff_menu_is_grouped_and_keeps_every_link(app, demo, role):
    html = _home(app, role)
    nav = html.split('id="main-nav"', 1)[1].split("</nav>", 1)[0]
    groups = re.findall(r'data-testid="nav-group-(\w+)"', nav)
    assert groups, nav
    assert len(groups) <= 6 and set(groups) <= set(NAV_GROUPS)
    items = [i for i in app.extensions["trainer_nav"] if role in i.roles]
    for item in items:
        with app.test_request_context():
            assert f'href="{url_for(item.endpoint)}"' in nav, item.endpoint
    # Fewer top-level entries than links: the groups really fold the menu.
    top_level = len(re.findall(r"<summary", nav)) + nav.count("\n          <a href=")
    assert top_level < len(items) + 1


def test_agent_menu_stays_flat(app, demo):
    nav = _home(app, "agent").split('id="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert "nav-group" not in nav
    assert 'href="/roleplay/"' in nav


@pytest.mark.parametrize(
    ("role", "first"),
    [
        ("agent", ["已逾期的指派课程", "待完成的指派课程", "待通过的测验"]),
        ("trainer", ["待复核的角色扮演"]),
        ("manager", ["待审批的晋级"]),
    ],
)
def test_home_lists_what_waits_for_action_before_the_panels(app, demo, role, first):
    html = _home(app, role)
    actions = html.index('data-testid="home-actions"')
    assert actions < html.index('class="panels"')
    labels = re.findall(
        r'data-testid="home-action">\s*<span class="action-count">\d+</span>'
        r"<span>([^<]*)",
        html,
    )
    assert labels[: len(first)] == first


def test_manager_home_counts_come_from_the_panels_services(app, demo):
    """The promotion count in the action list is the one the certification panel shows."""
    from trainer.certification.home import manager_actions, manager_panel

    manager = get_user_by_email(DEMO["manager"][0])
    with app.test_request_context():
        [action] = manager_actions(manager)
    assert action.count == manager_panel(manager)["proposed"] > 0


def test_sources_with_nothing_waiting_add_nothing(app, demo):
    add_action_source(app, {"admin"}, lambda user: [ActionItem("Nothing", 0, "/x")])
    assert "/x" not in _home(app, "admin")


# Demo data, measured: agent/trainer/manager/admin 10/5/9/8 (21/6/11/9 before the drill runs
# kept their figures and the session's statement brought the bell's count, the configuration's
# revision and the home's skills snapshot; 27/9/15/12 before the panels shared their reads).
# The agent's 10 include the demo agent's finished peak drills (their stored figures).
HOME_QUERY_BUDGET = {"agent": 10, "trainer": 5, "manager": 9, "admin": 8}
# What the action list reads that no panel of the role reads already: the open appeals count
# (trainer, admin). Everything else an action counts is its panel's number, read once.
ACTION_ONLY_QUERIES = {"agent": 0, "trainer": 1, "manager": 0, "admin": 1}


def _home_queries(app, count_queries, role) -> int:
    email, password = DEMO[role]
    client = app.test_client()
    login(client, get_user_by_email(email), password)
    client.get("/")  # warm caches (configuration documents, catalogues)
    with count_queries() as counter:
        assert client.get("/").status_code == 200
    return counter.count


@pytest.mark.parametrize("role", ["agent", "trainer", "manager", "admin"])
def test_home_queries_stay_bounded(app, demo, count_queries, role):
    """The action list adds a handful of aggregate queries, not one per item."""
    count = _home_queries(app, count_queries, role)
    assert count <= HOME_QUERY_BUDGET[role], count


@pytest.mark.parametrize("role", ["agent", "trainer", "manager", "admin"])
def test_action_list_shares_the_panels_reads(app, demo, count_queries, role, monkeypatch):
    """An action that counts what a panel shows reads it once with the panel (one GET's memo)."""
    with_actions = _home_queries(app, count_queries, role)
    monkeypatch.setitem(app.extensions, "trainer_actions", [])
    panels_only = _home_queries(app, count_queries, role)
    assert with_actions - panels_only == ACTION_ONLY_QUERIES[role], (with_actions, panels_only)
