"""Trainers author scenarios in the browser: editor, versions, import/export, clone, publish,
"try it"."""

import io

from tests.roleplay.conftest import say, start_chat, tiny_yaml
from trainer.core.audit import AuditEvent
from trainer.extensions import db
from trainer.roleplay import builder, catalog
from trainer.roleplay.models import RoleplaySession, Scenario


def flatten(data: dict, prefix: str = "") -> dict:
    """Builder values as a browser posts them: rows as name-N-field, unchecked boxes absent."""
    posted: dict = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for index, row in enumerate(value):
                posted.update(flatten(row, f"{name}-{index}-"))
        elif isinstance(value, bool):
            if value:
                posted[name] = "y"
        elif isinstance(value, list):
            if value:
                posted[name] = list(value)
        elif value is not None:
            posted[name] = str(value)
    return posted


def _form(spec_overrides=None, **fields):
    from tests.roleplay.conftest import tiny_spec
    from trainer.roleplay.scenarios import normalise

    spec, _ = normalise(tiny_spec(**(spec_overrides or {})))
    data = builder.builder_data(spec)
    data.update(fields)
    return flatten(data)


def test_scenario_list_and_detail(app, login_as, make_scenario):
    make_scenario()
    make_scenario(slug="draft-one", published=False)
    client, _ = login_as("trainer")
    page = client.get("/roleplay/manage/").get_data(as_text=True)
    assert "小测试：包裹破损" in page and "draft-one" in page
    detail = client.get("/roleplay/manage/tiny-parcel").get_data(as_text=True)
    assert 'data-testid="rp-versions"' in detail


def test_edit_form_round_trips_and_saves_a_new_version(app, login_as, make_scenario):
    scenario = make_scenario()
    client, trainer = login_as("trainer")
    page = client.get("/roleplay/manage/tiny-parcel/edit").get_data(as_text=True)
    assert "王女士" in page and 'name="hidden_facts-0-id"' in page
    # Saving unchanged content makes no version.
    response = client.post("/roleplay/manage/tiny-parcel/edit", data=_form())
    assert response.status_code == 302
    db.session.expire_all()
    assert scenario.current_version.number == 1
    response = client.post(
        "/roleplay/manage/tiny-parcel/edit", data=_form(opening="盒子也压扁了！杯子碎了！")
    )
    assert response.status_code == 302
    db.session.expire_all()
    scenario = catalog.get_scenario("tiny-parcel")
    assert scenario.current_version.number == 2
    assert scenario.current_version.spec["opening"] == "盒子也压扁了！杯子碎了！"
    assert scenario.current_version.created_by_id == trainer.id
    assert scenario.current_version.source == "editor"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "scenario.version"))
    assert event.actor_id == trainer.id


def test_yaml_editor_reports_problems_with_line_numbers(app, login_as, make_scenario):
    make_scenario()
    client, _ = login_as("trainer")
    text = client.get("/roleplay/manage/tiny-parcel/yaml").get_data(as_text=True)
    assert "rp-yaml-form" in text
    yaml_text = catalog.get_scenario("tiny-parcel").current_version.yaml_text
    broken = yaml_text.replace("scale: 5", "scale: 9")
    line = next(n for n, t in enumerate(broken.splitlines(), 1) if "scale: 9" in t)
    response = client.post("/roleplay/manage/tiny-parcel/yaml", data={"content": broken})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"第 {line} 行" in page and "pass_fail" in page
    bad = client.post("/roleplay/manage/tiny-parcel/yaml", data={"content": "mood: [unclosed"})
    assert bad.status_code == 400 and "YAML" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert catalog.get_scenario("tiny-parcel").current_version.number == 1
    changed = yaml_text.replace("杯子碎了！怎么办？", "杯子全碎了！")
    assert (
        client.post("/roleplay/manage/tiny-parcel/yaml", data={"content": changed}).status_code
        == 302
    )
    db.session.expire_all()
    version = catalog.get_scenario("tiny-parcel").current_version
    assert version.number == 2 and version.spec["opening"] == "杯子全碎了！"


def test_builder_puts_problems_beside_their_fields(app, login_as, make_scenario):
    make_scenario()
    client, _ = login_as("trainer")
    data = _form(**{"persona_name": "", "mood_start": "abc"})
    data["rubric_items-0-weight"] = "-1"
    data["hidden_facts-0-id"] = "Bad Id"
    response = client.post("/roleplay/manage/tiny-parcel/edit", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('class="field has-error"') >= 4
    assert "必须大于 0" in page or "must be greater than 0" in page
    assert "rubric.items.0.weight" not in page  # the field says where; no key paths
    db.session.expire_all()
    assert catalog.get_scenario("tiny-parcel").current_version.number == 1


def test_import_and_export_yaml(app, login_as):
    client, _ = login_as("trainer")
    upload = {"file": (io.BytesIO(tiny_yaml().encode()), "tiny-parcel.yaml")}
    response = client.post("/roleplay/manage/import", data=upload)
    assert response.status_code == 302
    scenario = catalog.get_scenario("tiny-parcel")
    assert scenario.current_version.source == "import" and not scenario.published
    exported = client.get("/roleplay/manage/tiny-parcel/export.yaml")
    assert exported.headers["Content-Disposition"].endswith('filename="tiny-parcel.yaml"')
    assert exported.get_data(as_text=True) == tiny_yaml()
    # Pasted text works too; the same content makes no new version.
    response = client.post("/roleplay/manage/import", data={"text": tiny_yaml()})
    assert response.status_code == 302
    db.session.expire_all()
    assert catalog.get_scenario("tiny-parcel").current_version.number == 1


def test_bad_import_changes_nothing_and_lists_lines(app, login_as):
    client, _ = login_as("trainer")
    broken = tiny_yaml().replace("difficulty: 1", "difficulty: 5")
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "difficulty" in text)
    response = client.post("/roleplay/manage/import", data={"text": broken})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"{line}" in page and "difficulty" in page
    assert db.session.scalar(db.select(db.func.count(Scenario.id))) == 0
    not_utf8 = {"file": (io.BytesIO("难".encode("gbk")), "x.yaml")}
    assert client.post("/roleplay/manage/import", data=not_utf8).status_code == 302
    assert db.session.scalar(db.select(db.func.count(Scenario.id))) == 0


def test_clone_publish_unpublish(app, login_as, make_scenario):
    make_scenario()
    client, _ = login_as("trainer")
    response = client.post("/roleplay/manage/tiny-parcel/clone", data={"new_slug": "tiny-copy"})
    assert response.headers["Location"].endswith("/roleplay/manage/tiny-copy/edit")
    copy = catalog.get_scenario("tiny-copy")
    assert not copy.published and copy.current_version.spec["opening"] == "杯子碎了！怎么办？"
    assert "（副本）" in copy.title["zh_CN"] or "(copy)" in copy.title["zh_CN"]
    taken = client.post("/roleplay/manage/tiny-parcel/clone", data={"new_slug": "tiny-copy"})
    assert taken.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Scenario.id))) == 2
    client.post("/roleplay/manage/tiny-copy/publish")
    db.session.expire_all()
    assert catalog.get_scenario("tiny-copy").published
    client.post("/roleplay/manage/tiny-copy/unpublish")
    db.session.expire_all()
    assert not catalog.get_scenario("tiny-copy").published
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"scenario.clone", "scenario.publish", "scenario.unpublish"} <= actions


def test_try_it_is_a_trial_that_never_counts(app, login_as, make_scenario, clock):
    from trainer.roleplay.achievements import roleplay_results

    make_scenario(published=False)
    client, trainer = login_as("trainer")
    response = client.post("/roleplay/manage/tiny-parcel/try")
    session_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    clock.shift(5)
    assert say(client, session_id, "抱歉！")[0] == 200
    client.post(f"/roleplay/sessions/{session_id}/end")
    session = db.session.get(RoleplaySession, session_id)
    assert session.trial and session.grade is not None
    assert roleplay_results([trainer.id]) == {trainer.id: []}
    assert client.get("/roleplay/review/").get_data(as_text=True).count("rp-review-link") == 0


def test_a_session_keeps_the_version_it_ran(app, login_as, make_scenario, clock):
    make_scenario()
    agent_client, _ = login_as("agent")
    session_id = start_chat(agent_client, "tiny-parcel")
    trainer_client, _ = login_as("trainer")
    trainer_client.post("/roleplay/manage/tiny-parcel/edit", data=_form(opening="全新的开场白"))
    clock.shift(5)
    _, events = say(agent_client, session_id, "请问订单号？")
    assert events[-1]["text"] == "订单号 2024111100123。"
    session = db.session.get(RoleplaySession, session_id)
    assert session.version.number == 1 and session.turns[0].text == "杯子碎了！怎么办？"
    assert start_chat(agent_client, "tiny-parcel") == session_id  # resumed, still version 1
    agent_client.post(f"/roleplay/sessions/{session_id}/end")
    new_session = start_chat(agent_client, "tiny-parcel")
    assert db.session.get(RoleplaySession, new_session).version.number == 2


def test_export_of_an_old_version(app, login_as, make_scenario):
    make_scenario()
    client, _ = login_as("trainer")
    client.post("/roleplay/manage/tiny-parcel/edit", data=_form(opening="第二版"))
    old = client.get("/roleplay/manage/tiny-parcel/export.yaml?version=1").get_data(as_text=True)
    assert "杯子碎了！怎么办？" in old
    assert client.get("/roleplay/manage/tiny-parcel/export.yaml?version=9").status_code == 404


def test_yaml_aliases_and_deep_nesting_are_refused_and_change_nothing(app, login_as, make_scenario):
    make_scenario()
    client, _ = login_as("trainer")
    bombs = [
        "&a [*a]",
        "a: &a\n  b: *a",
        "k: " + "[" * 1500 + "]" * 1500,
        "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b]",
        "slug: a\x00b\n",  # a control character (finding 4)
    ]
    for bomb in bombs:
        response = client.post("/roleplay/manage/import", data={"text": bomb})
        assert response.status_code == 400
        upload = {"file": (io.BytesIO(bomb.encode()), "s.yaml")}
        assert client.post("/roleplay/manage/import", data=upload).status_code == 400
        response = client.post("/roleplay/manage/tiny-parcel/yaml", data={"content": bomb})
        assert response.status_code == 400 and "YAML" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Scenario.id))) == 1
    assert catalog.get_scenario("tiny-parcel").current_version.number == 1
