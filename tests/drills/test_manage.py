"""Trainers write drills in the browser: checked like files, versioned, problems by line."""

from tests.drills.conftest import RUSH_YAML
from trainer.drills import catalog
from trainer.extensions import db


def test_trainer_creates_and_edits_a_drill(app, login_as, make_scenario):
    make_scenario()
    client, trainer = login_as("trainer")
    assert client.get("/drills/manage/new").status_code == 200
    response = client.post("/drills/manage/new", data={"yaml_text": RUSH_YAML})
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    drill = catalog.get_drill("tiny-rush")
    assert drill.current_version.number == 1 and drill.current_version.source == "editor"
    edited = RUSH_YAML.replace("length: 120", "length: 180")
    response = client.post("/drills/manage/tiny-rush/edit", data={"yaml_text": edited})
    assert response.status_code == 302
    db.session.expire_all()
    assert catalog.get_drill("tiny-rush").current_version.spec["length"] == 180
    assert "tiny-rush" in client.get("/drills/manage/").get_data(as_text=True)


def test_problems_are_listed_by_line_and_nothing_is_saved(app, login_as, make_scenario):
    make_scenario()
    client, _ = login_as("trainer")
    bad = RUSH_YAML.replace("tiny-parcel", "ghost").replace("  - at: 5", "  - at: 900")
    response = client.post("/drills/manage/new", data={"yaml_text": bad})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    problems = page.split('data-testid="dr-problems"')[1][:400]
    assert "17" in problems  # the schema first; scenarios are checked once it holds
    assert catalog.get_drill("tiny-rush") is None
    body = client.post("/drills/manage/check", json={"text": bad}).get_json()
    assert [p["line"] for p in body["problems"]] == [17]
    fixed = RUSH_YAML.replace("tiny-parcel", "ghost")
    body = client.post("/drills/manage/check", json={"text": fixed}).get_json()
    assert [p["line"] for p in body["problems"]] == [14] and "ghost" in body["problems"][0][
        "message"
    ]


def test_an_edit_cannot_change_the_slug(app, login_as, make_drill):
    make_drill()
    client, _ = login_as("trainer")
    response = client.post(
        "/drills/manage/tiny-rush/edit", data={"yaml_text": RUSH_YAML.replace("tiny-rush", "x")}
    )
    assert response.status_code == 400


def test_agents_cannot_author(app, login_as):
    client, _ = login_as("agent")
    assert client.get("/drills/manage/").status_code == 403
    assert client.post("/drills/manage/check", json={"text": ""}).status_code == 403
