"""OKRs: the agent drafts and submits, the manager approves or returns, progress and scores."""

import pytest

from tests.conftest import login
from trainer.core.audit import AuditEvent
from trainer.extensions import db
from trainer.scorecards import okrs
from trainer.scorecards.okr_models import OkrKeyResult, OkrSet
from trainer.scorecards.services import okr_score


def _form(**fields) -> dict:
    """Form data for the OKR editor; keys like o0t (objective 0 title), o0k0t, o0k0target."""
    data = {}
    for key, value in fields.items():
        o = key[1]
        if key.endswith("t") and len(key) == 3:
            data[f"objectives-{o}-title"] = value
        else:
            k, field = key[3], key[4:]
            name = {
                "t": "title",
                "target": "target",
                "start": "start_value",
                "w": "weight",
                "u": "unit",
            }[field]
            data[f"objectives-{o}-key_results-{k}-{name}"] = value
    return data


@pytest.fixture
def team(team_with_agents):
    """(team, manager, [agent])."""
    return team_with_agents(1)


def test_agent_drafts_submits_and_manager_approves(app, team, frozen_today):
    _team, manager, (agent,) = team
    client = app.test_client()
    login(client, agent)
    data = _form(
        o0t="双十一快捷回复库",
        o0k0t="快捷话术条数",
        o0k0target="60",
        o0k0u="条",
        o0k1t="首响时长",
        o0k1start="45",
        o0k1target="25",
        o0k1w="2",
    )
    response = client.post("/okrs/2026-Q4/edit", data=data)
    assert response.status_code == 302
    okr_set = okrs.get_set(agent.id, "2026-Q4")
    assert okr_set.status == "draft"
    (objective,) = okr_set.objectives
    assert [kr.title for kr in objective.key_results] == ["快捷话术条数", "首响时长"]
    assert objective.key_results[1].weight == 2 and objective.key_results[1].current == 45
    assert client.post("/okrs/2026-Q4/submit").status_code == 302
    db.session.expire_all()
    assert db.session.get(OkrSet, okr_set.id).status == "submitted"

    manager_client = app.test_client()
    login(manager_client, manager)
    assert okr_set.agent.name in manager_client.get("/okrs/review").get_data(as_text=True)
    manager_client.post(f"/okrs/sets/{okr_set.id}/approve", data={"comment": "好"})
    db.session.expire_all()
    approved = db.session.get(OkrSet, okr_set.id)
    assert approved.status == "approved" and approved.decided_by_id == manager.id
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.subject_type == "okr_sets")
    )
    assert list(actions) == ["okr.submit", "okr.approve"]


def test_progress_updates_move_the_score(app, team, frozen_today, make_okrs):
    _team, manager, (agent,) = team
    objectives = [
        okrs.ObjectiveInput(
            "A",
            [
                okrs.KeyResultInput("x", target=50),
                okrs.KeyResultInput("y", target=25, start_value=45),
            ],
        ),
        okrs.ObjectiveInput(
            "B",
            [
                okrs.KeyResultInput("z", target=95, start_value=85, weight=2),
                okrs.KeyResultInput("w", target=3),
            ],
        ),
    ]
    okr_set = make_okrs(agent, "2026-Q4", objectives, status="approved", manager=manager)
    client = app.test_client()
    login(client, agent)
    krs = {kr.title: kr.id for o in okr_set.objectives for kr in o.key_results}
    for title, value in (("x", "20"), ("y", "35"), ("z", "95")):
        response = client.post(
            f"/okrs/key-results/{krs[title]}/progress", data={"value": value, "note": "周报"}
        )
        assert response.status_code == 302
    db.session.expire_all()
    assert okr_score(agent.id, "2026-Q4") == pytest.approx(0.56)  # see test_scoring
    kr = db.session.get(OkrKeyResult, krs["x"])
    assert kr.current == 20 and kr.updates[0].note == "周报"


def test_manager_returns_with_comment_and_agent_reworks(app, team, frozen_today, make_okrs):
    _team, manager, (agent,) = team
    okr_set = make_okrs(agent, "2026-Q4", status="submitted")
    with pytest.raises(okrs.OkrError):
        okrs.return_set(okr_set, manager, "  ")
    okrs.return_set(okr_set, manager, "目标要可量化")
    db.session.commit()
    client = app.test_client()
    login(client, agent)
    page = client.get("/okrs/2026-Q4/edit").get_data(as_text=True)
    assert "目标要可量化" in page and "Quick replies" in page
    client.post("/okrs/2026-Q4/edit", data=_form(o0t="New", o0k0t="n", o0k0target="3"))
    db.session.expire_all()
    assert okrs.get_set(agent.id, "2026-Q4").objectives[0].title == "New"


def test_validation(app, team, frozen_today):
    _team, _manager, (agent,) = team
    kr = okrs.KeyResultInput("k", target=1)
    with pytest.raises(okrs.OkrError):
        okrs.save_draft(agent, "2026-Q4", [])
    with pytest.raises(okrs.OkrError):
        okrs.save_draft(agent, "2026-Q4", [okrs.ObjectiveInput(f"o{i}", [kr]) for i in range(4)])
    with pytest.raises(okrs.OkrError):
        okrs.save_draft(agent, "2026-Q4", [okrs.ObjectiveInput("o", [kr] * 5)])
    with pytest.raises(okrs.OkrError):
        okrs.save_draft(
            agent,
            "2026-Q4",
            [okrs.ObjectiveInput("o", [okrs.KeyResultInput("k", target=5, start_value=5)])],
        )
    with pytest.raises(okrs.OkrError):
        okrs.save_draft(agent, "2025-Q1", [okrs.ObjectiveInput("o", [kr])])  # long closed


def test_form_errors_are_shown_not_500(app, team, frozen_today):
    _team, _manager, (agent,) = team
    client = app.test_client()
    login(client, agent)
    response = client.post(
        "/okrs/2026-Q4/edit",
        data=_form(o0t="Only a title", o0k0t="no target"),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200 and "needs a target" in response.get_data(as_text=True)
    response = client.post("/okrs/2026-Q4/edit", data=_form(o0k0t="kr", o0k0target="abc"))
    assert response.status_code == 200
    assert okrs.get_set(agent.id, "2026-Q4") is None
    assert client.get("/okrs/not-a-quarter/edit").status_code == 404


def test_agent_cannot_approve_or_touch_others(app, team, make_user, frozen_today, make_okrs):
    _team, manager, (agent,) = team
    other = make_user("agent", team=agent.team)
    theirs = make_okrs(other, "2026-Q4", status="approved", manager=manager)
    mine = make_okrs(agent, "2026-Q4", status="submitted")
    client = app.test_client()
    login(client, agent)
    assert client.post(f"/okrs/sets/{mine.id}/approve").status_code == 403
    kr_id = theirs.objectives[0].key_results[0].id
    assert (
        client.post(f"/okrs/key-results/{kr_id}/progress", data={"value": "999"}).status_code == 404
    )
    db.session.expire_all()
    assert db.session.get(OkrKeyResult, kr_id).current == 0
    assert db.session.get(OkrSet, mine.id).status == "submitted"


def test_posted_extra_fields_change_nothing(app, team, make_user, frozen_today):
    """An agent posting a status, a score or another agent's id only drafts their own OKRs."""
    _team, _manager, (agent,) = team
    other = make_user("agent", team=agent.team)
    client = app.test_client()
    login(client, agent)
    data = _form(o0t="Mine", o0k0t="k", o0k0target="10")
    data.update(
        {
            "status": "approved",
            "agent_id": str(other.id),
            "score": "1.0",
            "objectives-0-key_results-0-current": "10",
        }
    )
    client.post("/okrs/2026-Q4/edit", data=data)
    db.session.expire_all()
    assert okrs.get_set(other.id, "2026-Q4") is None
    mine = okrs.get_set(agent.id, "2026-Q4")
    assert mine.status == "draft" and mine.objectives[0].key_results[0].current == 0
    assert okr_score(agent.id, "2026-Q4") is None  # only approved OKRs score


def test_managers_see_only_their_team(app, team_with_agents, frozen_today, make_okrs):
    _t1, manager1, (agent1,) = team_with_agents(1)
    _t2, manager2, (agent2,) = team_with_agents(1)
    other_set = make_okrs(agent2, "2026-Q4", status="submitted")
    client = app.test_client()
    login(client, manager1)
    assert agent2.name not in client.get("/okrs/review").get_data(as_text=True)
    assert client.post(f"/okrs/sets/{other_set.id}/approve").status_code == 404
    db.session.expire_all()
    assert db.session.get(OkrSet, other_set.id).status == "submitted"


def test_progress_only_on_approved_okrs(app, team, frozen_today, make_okrs):
    _team, _manager, (agent,) = team
    draft = make_okrs(agent, "2026-Q4")
    with pytest.raises(okrs.OkrError):
        okrs.update_progress(draft.objectives[0].key_results[0], agent, 5)


def test_non_numbers_are_refused(app, team, frozen_today, make_okrs, login_as):
    _team, manager, (agent,) = team
    with pytest.raises(okrs.OkrError):
        okrs.save_draft(
            agent,
            "2026-Q4",
            [okrs.ObjectiveInput("o", [okrs.KeyResultInput("k", target=float("nan"))])],
        )
    okr_set = make_okrs(agent, "2026-Q4", status="approved", manager=manager)
    kr = okr_set.objectives[0].key_results[0]
    for value in (float("inf"), float("nan")):
        with pytest.raises(okrs.OkrError):
            okrs.update_progress(kr, agent, value)
    client = app.test_client()
    login(client, agent)
    assert (
        client.post(f"/okrs/key-results/{kr.id}/progress", data={"value": "nan"}).status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(OkrKeyResult, kr.id).current == 0
