"""The scenario builder: lossless round trips (YAML → form → YAML, form → YAML → form), row
editing, problems beside their fields, save-and-try, and publishing what was built."""

import copy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.roleplay.conftest import say
from tests.roleplay.test_authoring import flatten
from trainer.config import ROOT
from trainer.extensions import db
from trainer.roleplay import builder, catalog
from trainer.roleplay.builder_forms import ScenarioBuilderForm
from trainer.roleplay.models import RoleplaySession
from trainer.roleplay.scenarios import dump_spec, normalise, parse_scenario

SHIPPED = sorted(p for p in (Path(ROOT) / "scenarios").glob("*.yaml") if not p.name.startswith("_"))
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def through_the_form(app, spec: dict) -> dict:
    """The builder's values for `spec`, posted as a browser would and read back by the form."""
    with app.test_request_context(
        method="POST", data=MultiDict(flatten(builder.builder_data(spec)))
    ):
        form = ScenarioBuilderForm(meta={"csrf": False})
        return form.data


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_survives_yaml_form_yaml(app, path):
    spec = parse_scenario(path.read_text(encoding="utf-8"))
    posted = through_the_form(app, spec)
    with app.test_request_context():
        back = builder.spec_from_builder(posted, spec["slug"])
    assert back == spec
    assert dump_spec(back) == dump_spec(spec)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_form_yaml_form_is_identical(app, path):
    spec = parse_scenario(path.read_text(encoding="utf-8"))
    first = through_the_form(app, spec)
    with app.test_request_context():
        again = parse_scenario(dump_spec(builder.spec_from_builder(first, spec["slug"])))
    second = through_the_form(app, again)
    drop = {"csrf_token", "op"}
    assert {k: v for k, v in second.items() if k not in drop} == {
        k: v for k, v in first.items() if k not in drop
    }


single_line = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30
).filter(lambda s: s.strip())
phrases = st.lists(single_line, min_size=1, max_size=4)


@st.composite
def edited_specs(draw):
    """A shipped scenario with random texts, phrases, numbers, flags and row orders."""
    path = draw(st.sampled_from(SHIPPED))
    spec = copy.deepcopy(parse_scenario(path.read_text(encoding="utf-8")))
    spec["title"]["zh_CN"] = draw(single_line)
    spec["opening"] = draw(single_line)
    spec["situation"] = draw(st.sampled_from(["一行。", "第一行\n第二行\n"]))
    spec["persona"]["patience"] = draw(st.integers(1, 5))
    for fact in spec["hidden_facts"]:
        fact["ask_keywords"] = draw(phrases)
    for rule in spec["mood"]["rules"]:
        rule["change"] = draw(st.integers(-100, 100))
        if draw(st.booleans()):
            rule["when"] = {"all": draw(phrases), "slow_reply_seconds": draw(st.integers(1, 300))}
    items = spec["rubric"]["items"]
    spec["rubric"]["items"] = draw(st.permutations(items))
    for item in items:
        item["weight"] = draw(st.sampled_from([1, 2, 0.5, 3.25]))
        item["critical"] = draw(st.booleans())
        item["na_allowed"] = draw(st.booleans())
        if item["kind"] == "judged" and draw(st.booleans()):
            item["levels"] = {"met": {"zh_CN": draw(single_line), "en": draw(single_line)}}
    spec["examples"] = draw(st.lists(single_line, max_size=3))
    return spec


@FUZZ
@given(edited=edited_specs())
def test_random_edits_round_trip_losslessly(app, edited):
    with app.test_request_context():
        spec, problems = normalise(edited)
    if problems:
        return  # only valid scenarios have a form to round-trip
    posted = through_the_form(app, spec)
    with app.test_request_context():
        assert builder.spec_from_builder(posted, spec["slug"]) == spec


def test_row_buttons_add_remove_and_reorder(app):
    spec = parse_scenario(SHIPPED[0].read_text(encoding="utf-8"))
    data = builder.builder_data(spec)
    ids = [item["id"] for item in data["rubric_items"]]
    builder.apply_row_op(data, "down:rubric_items/0")
    assert [item["id"] for item in data["rubric_items"]][:2] == [ids[1], ids[0]]
    builder.apply_row_op(data, "up:rubric_items/1")
    assert [item["id"] for item in data["rubric_items"]] == ids
    builder.apply_row_op(data, "add:rubric_items")
    assert (
        data["rubric_items"][-1]["kind"] == "judged" and len(data["rubric_items"]) == len(ids) + 1
    )
    builder.apply_row_op(data, "add:rubric_items/0/topics")
    assert data["rubric_items"][0]["topics"][-1] == {}
    builder.apply_row_op(data, f"remove:rubric_items/{len(ids)}")
    assert len(data["rubric_items"]) == len(ids)
    before = copy.deepcopy(data)
    for forged in ("remove:rubric_items/99", "up:nothing/0", "add:", "down:rubric_items/x", "zap"):
        builder.apply_row_op(data, forged)
    assert data == before


def test_add_row_button_rerenders_and_saves_nothing(app, login_as, make_scenario):
    make_scenario()
    client, _ = login_as("trainer")
    spec = catalog.get_scenario("tiny-parcel").current_version.spec
    posted = flatten(builder.builder_data(spec))
    response = client.post(
        "/roleplay/manage/tiny-parcel/edit", data={**posted, "op": "add:hidden_facts"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="hidden_facts-1-id"' in page and 'name="hidden_facts-2-id"' not in page
    response = client.post(
        "/roleplay/manage/tiny-parcel/edit", data={**posted, "op": "remove:hidden_facts/0"}
    )
    assert 'name="hidden_facts-0-id"' not in response.get_data(as_text=True)
    db.session.expire_all()
    assert catalog.get_scenario("tiny-parcel").current_version.number == 1


def test_problems_name_the_row_field(app, login_as, make_scenario):
    make_scenario()
    client, _ = login_as("trainer")
    spec = catalog.get_scenario("tiny-parcel").current_version.spec
    data = builder.builder_data(spec)
    rule = next(i for i, item in enumerate(data["rubric_items"]) if item["kind"] == "rule")
    data["rubric_items"][rule]["check_type"] = "hidden_fact_uncovered"
    data["rubric_items"][rule]["check_fact"] = "no_such_fact"
    with app.test_request_context(), pytest.raises(builder.FormProblems) as raised:
        builder.spec_from_builder(data, "tiny-parcel")
    assert list(raised.value.problems) == [f"rubric_items-{rule}-check_fact"]
    page = client.post("/roleplay/manage/tiny-parcel/edit", data=flatten(data)).get_data(
        as_text=True
    )
    assert "has-error" in page and "hidden_facts" in page


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("title.zh_CN", "title_zh"),
        ("persona.patience", "persona_patience"),
        ("mood", "mood_start"),
        ("mood.rules.2.when.any.0", "mood_rules-2-any"),
        ("goal.needs.0.words", "needs-0-words"),
        ("goal.needs", "needs"),
        ("script.beats.1.when", "beats-1-any"),
        ("script.fallback", "fallback"),
        ("rubric.items.3.title.en", "rubric_items-3-title_en"),
        ("rubric.items.3.check", "rubric_items-3-check_type"),
        ("rubric.items.3.check.lexicon.1", "rubric_items-3-check_lexicon"),
        ("rubric.items.0.topics.2.missing.en", "rubric_items-0-topics-2-missing_en"),
        ("rubric.items.0.topics.2.words.0", "rubric_items-0-topics-2-words"),
        ("rubric.items.0.levels.partly.zh_CN", "rubric_items-0-partly_zh"),
        ("rubric.items.0", "rubric_items-0-id"),
        ("coaching.1.lesson", "coaching-1-lesson"),
        ("examples.2", "examples"),
        ("(top)", builder.GENERAL),
    ],
)
def test_schema_keys_map_to_builder_fields(key, field):
    assert builder.field_of(key) == field


def test_new_scenario_built_in_the_form_tried_and_published(app, login_as, clock):
    client, trainer = login_as("trainer")
    data = builder.starter_data()
    data.update(
        slug="built-in-form",
        title_zh="表单里做的场景",
        title_en="Built in the form",
        summary_zh="测试表单。",
        summary_en="Form test.",
        category="after_sales",
        persona_name="李先生",
        persona_temperament="着急",
        situation="耳机没声音。",
        opening="耳机没声音了！",
        policy="- 七天无理由退货。",
        hidden_facts=[
            {
                "id": "receipt",
                "fact": "有发票",
                "ask_keywords": "发票\n凭证",
                "reveal": "我有发票。",
            }
        ],
    )
    data["needs"][0]["words"] = "给您退款"
    response = client.post("/roleplay/manage/new", data={**flatten(data), "op": "try"})
    assert response.status_code == 302, response.get_data(as_text=True)
    scenario = catalog.get_scenario("built-in-form")
    assert not scenario.published and scenario.current_version.source == "editor"
    assert scenario.current_version.spec["hidden_facts"][0]["ask_keywords"] == ["发票", "凭证"]
    session_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    clock.shift(5)
    status, events = say(client, session_id, "请问有发票吗？")
    assert status == 200 and any("我有发票" in e.get("text", "") for e in events)
    assert db.session.get(RoleplaySession, session_id).trial
    client.post("/roleplay/manage/built-in-form/publish")
    db.session.expire_all()
    assert catalog.get_scenario("built-in-form").published


def test_trying_a_published_scenario_plays_a_draft_agents_never_see(
    app, login_as, make_scenario, clock
):
    scenario = make_scenario()
    client, _ = login_as("trainer")
    data = builder.builder_data(scenario.current_version.spec)
    data["opening"] = "草稿里的开场白！"
    response = client.post("/roleplay/manage/tiny-parcel/edit", data={**flatten(data), "op": "try"})
    assert response.status_code == 302
    session = db.session.get(RoleplaySession, int(response.headers["Location"].split("/")[-1]))
    assert session.trial and session.version.draft and session.version.number < 0
    assert session.turns[0].text == "草稿里的开场白！"
    db.session.expire_all()
    current = catalog.get_scenario("tiny-parcel").current_version
    assert current.number == 1 and current.spec["opening"] != "草稿里的开场白！"
    detail = client.get("/roleplay/manage/tiny-parcel").get_data(as_text=True)
    assert "草稿里的开场白" not in detail and "v-1" not in detail
    assert client.get("/roleplay/manage/tiny-parcel/export.yaml?version=-1").status_code == 404
    # The trainer goes back to the draft, and saving it makes version 2 for agents.
    page = client.get(f"/roleplay/manage/tiny-parcel/edit?draft={session.version_id}")
    assert "草稿里的开场白！" in page.get_data(as_text=True)
    clock.shift(5)
    assert say(client, session.id, "抱歉！请问订单号？")[0] == 200
    client.post(f"/roleplay/sessions/{session.id}/end")
    result = client.get(f"/roleplay/sessions/{session.id}/result").get_data(as_text=True)
    assert "rp-back-to-draft" in result
    response = client.post(
        "/roleplay/manage/tiny-parcel/edit", data={**flatten(data), "op": "save"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    current = catalog.get_scenario("tiny-parcel").current_version
    assert current.number == 2 and current.spec["opening"] == "草稿里的开场白！"
    agent_client, _ = login_as("agent")
    assert agent_client.get("/roleplay/manage/tiny-parcel/edit").status_code == 403


def test_builder_pages_take_a_fixed_number_of_queries(app, login_as, make_scenario, count_queries):
    small = make_scenario()
    large_spec = parse_scenario(SHIPPED[0].read_text(encoding="utf-8"))
    large = make_scenario(large_spec)
    client, _ = login_as("trainer")
    counts = []
    for scenario in (small, large):
        url = f"/roleplay/manage/{scenario.slug}/edit"
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 8, counts
