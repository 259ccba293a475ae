"""The KPI catalogue: shipped file, validation with line numbers, the admin's override page."""

import pytest

from trainer.core.audit import AuditEvent
from trainer.core.configdocs import ConfigDocument
from trainer.core.problems import ProblemsError
from trainer.extensions import db
from trainer.scorecards import catalogue


def test_shipped_catalogue_has_domain_targets(app):
    shipped = catalogue.shipped_catalogue()
    by_key = {k.key: k for k in shipped.kpis}
    assert set(by_key) == set(catalogue.KNOWN_KPIS)
    assert (by_key["first_response_time"].target, by_key["first_response_time"].direction) == (
        30,
        "lower",
    )
    assert by_key["resolution_rate"].target == 98
    assert by_key["csat"].target == 4.5
    assert by_key["repeat_contact_rate"].target == 8
    assert by_key["cost_saving_rate"].target == 15 and by_key["cost_saving_rate"].scope == "team"
    assert by_key["churn_rate"].target == 5
    assert sum(k.weight for k in shipped.agent_kpis) == 100
    assert (shipped.incentive.kpi_weight, shipped.incentive.okr_weight) == (0.7, 0.3)


def _text(**replace) -> str:
    text = catalogue.SHIPPED.read_text(encoding="utf-8")
    for old, new in replace.items():
        text = text.replace(old.replace("_", " ") if " " in old else old, new)
    return text


def test_problems_carry_line_numbers(app, english):
    text = catalogue.SHIPPED.read_text(encoding="utf-8")
    lines = text.splitlines()
    csat_target = next(i for i, line in enumerate(lines, 1) if "target: 4.5" in line)
    broken = text.replace("target: 4.5", "target: 7").replace("kpi_weight: 0.7", "kpi_weight: 0.9")
    with pytest.raises(ProblemsError) as caught:
        catalogue.parse_catalogue(broken)
    lines_reported = {p.line for p in caught.value.problems}
    assert csat_target in lines_reported
    messages = " ".join(p.message for p in caught.value.problems)
    assert "add up to 1" in messages


@pytest.mark.parametrize(
    "text",
    [
        "kpis: [",  # syntax
        "- just a list",
        "kpis: []",
        "kpis:\n  - key: happiness\n",
        "kpis:\n  - key: csat\n    name: {zh_CN: x, en: y}\n    scope: agent\n    unit: score5\n"
        "    direction: higher\n    target: 4.0\n    floor: 4.5\n    weight: 1\n",  # floor better
    ],
)
def test_invalid_catalogues_are_refused(app, text):
    with pytest.raises(ProblemsError):
        catalogue.parse_catalogue(text)


def test_admin_saves_and_resets_an_override(app, login_as):
    client, admin = login_as("admin")
    text = catalogue.SHIPPED.read_text(encoding="utf-8").replace("target: 4.5", "target: 4.6")
    response = client.post("/admin/kpi/catalogue", data={"content": text})
    assert response.status_code == 302
    catalogue.forget_cached_catalogue()
    assert catalogue.current_catalogue().get("csat").target == 4.6
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "config.kpis.update")
    )
    assert event.actor_id == admin.id and event.data["before"] == {"content": None}
    assert client.post("/admin/kpi/catalogue/reset").status_code == 302
    catalogue.forget_cached_catalogue()
    assert catalogue.current_catalogue().get("csat").target == 4.5


def test_invalid_override_is_shown_with_lines_and_not_saved(app, login_as):
    client, _admin = login_as("admin")
    response = client.post(
        "/admin/kpi/catalogue",
        data={"content": "kpis:\n  - key: csat\n    weight: lots\n"},
        headers={"Accept-Language": "en"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Line 3" in body or "Line 2" in body
    assert db.session.scalar(db.select(db.func.count(ConfigDocument.id))) == 0


def test_only_admins_edit_the_catalogue(app, login_as):
    client, _manager = login_as("manager")
    assert client.post("/admin/kpi/catalogue", data={"content": "kpis: []"}).status_code == 403


YAML_BOMBS = [
    ("kpis: &a [*a]", 1, "anchors and aliases (&name, *name) are not supported"),
    (
        "kpis:\n  - &a\n    key: csat\n  - *a",
        2,
        "anchors and aliases (&name, *name) are not supported",
    ),
    ("kpis: " + "[" * 1500 + "]" * 1500, 1, "nested more than 50 levels deep"),
    (
        "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b]",
        1,
        "anchors and aliases",
    ),
    ("kpis:\n  - id: fcr\x00\n", 2, "U+0000"),  # a control character (finding 4)
]


@pytest.mark.parametrize(("text", "line", "message"), YAML_BOMBS)
def test_yaml_anchors_aliases_and_deep_nesting_are_refused(app, english, text, line, message):
    with pytest.raises(ProblemsError) as caught:
        catalogue.parse_catalogue(text)
    (problem,) = caught.value.problems
    assert problem.line == line and message in problem.message


def test_catalogue_editor_refuses_yaml_bombs_and_saves_nothing(app, login_as):
    client, _admin = login_as("admin")
    for text, line, _message in YAML_BOMBS:
        response = client.post(
            "/admin/kpi/catalogue", data={"content": text}, headers={"Accept-Language": "en"}
        )
        assert response.status_code == 200
        assert f"Line {line}" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ConfigDocument.id))) == 0
