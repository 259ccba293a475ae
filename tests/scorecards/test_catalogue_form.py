"""The KPI catalogue form: lossless round trips, add / edit / retire, problems beside fields."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.roleplay.test_authoring import flatten
from trainer.core.configdocs import get_override, load_config_yaml
from trainer.extensions import db
from trainer.scorecards import catalogue, catalogue_builder
from trainer.scorecards.catalogue_forms import CatalogueForm

URL = "/admin/kpi/catalogue/form"


def _shipped_document() -> dict:
    return load_config_yaml(catalogue.SHIPPED.read_text(encoding="utf-8")).data


def _through_the_form(app, values: dict) -> dict:
    with app.test_request_context(method="POST", data=MultiDict(flatten(values))):
        data = CatalogueForm(meta={"csrf": False}).data
    return {k: v for k, v in data.items() if k not in ("csrf_token", "op")}


def test_shipped_catalogue_survives_yaml_form_yaml(app):
    document = _shipped_document()
    values = _through_the_form(app, catalogue_builder.form_values(document))
    rebuilt = catalogue_builder.document_from_values(values)
    text = catalogue_builder.dump_document(rebuilt)
    assert catalogue.parse_catalogue(text) == catalogue.shipped_catalogue()
    assert load_config_yaml(text).data == {**document, "incentive": rebuilt["incentive"]}
    # form → YAML → form is identical
    again = catalogue_builder.form_values(load_config_yaml(text).data)
    assert _through_the_form(app, again) == values


def test_admin_edits_retires_and_adds_kpis(app, login_as):
    client, admin = login_as("admin")
    page = client.get(URL).get_data(as_text=True)
    assert "首次响应时长" in page and 'data-testid="kpi-add"' not in page
    values = catalogue_builder.form_values(_shipped_document())
    csat = next(i for i, row in enumerate(values["kpis"]) if row["key"] == "csat")
    values["kpis"][csat]["target"] = "4.6"
    values["kpis"][csat]["name_zh"] = "顾客满意度"
    response = client.post(URL, data={**flatten(values), "op": "save"})
    assert response.status_code == 302
    saved = catalogue.current_catalogue().get("csat")
    assert saved.target == 4.6 and saved.name["zh_CN"] == "顾客满意度"
    assert get_override("kpis").updated_by_id == admin.id
    # Retiring shows the form without that KPI and offers it under "add"; nothing saved yet.
    rate = next(i for i, row in enumerate(values["kpis"]) if row["key"] == "response_rate")
    response = client.post(URL, data={**flatten(values), "op": f"retire:{rate}"})
    page = response.get_data(as_text=True)
    assert 'data-testid="kpi-row-response_rate"' not in page and "kpi-add-response_rate" in page
    assert catalogue.current_catalogue().get("response_rate") is not None
    retired = {**values, "kpis": [r for r in values["kpis"] if r["key"] != "response_rate"]}
    assert client.post(URL, data={**flatten(retired), "op": "save"}).status_code == 302
    db.session.expire_all()
    catalogue.forget_cached_catalogue()  # this test's own memo of the document
    assert catalogue.current_catalogue().get("response_rate") is None
    response = client.post(URL, data={**flatten(retired), "op": "add:response_rate"})
    assert 'name="kpis-7-key"' in response.get_data(as_text=True)
    unknown = client.post(URL, data={**flatten(retired), "op": "add:made_up"})
    assert "made_up" not in unknown.get_data(as_text=True)


def test_a_kpi_the_levels_use_cannot_be_retired(app, login_as):
    from trainer.certification.ladder import current_ladder

    client, _ = login_as("admin")
    values = catalogue_builder.form_values(_shipped_document())
    values["kpis"] = [row for row in values["kpis"] if row["key"] != "qa_score"]
    response = client.post(URL, data={**flatten(values), "op": "save"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "qa_score" in page and 'data-testid="kpi-general-problems"' in page
    assert get_override("kpis") is None
    catalogue.forget_cached_catalogue()
    assert current_ladder().level("L3") is not None


def test_bad_values_are_shown_beside_their_fields_and_change_nothing(app, login_as):
    client, _ = login_as("admin")
    values = catalogue_builder.form_values(_shipped_document())
    values["kpis"][0]["target"] = "abc"
    values["kpis"][1]["floor"] = values["kpis"][1]["target"]
    values["kpis"][2]["name_en"] = ""
    values["okr_weight"] = "0.5"
    response = client.post(URL, data={**flatten(values), "op": "save"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('class="field has-error"') == 4
    assert get_override("kpis") is None


def test_only_admins_use_the_form(app, login_as):
    for role in ("agent", "trainer", "manager"):
        client, _ = login_as(role)
        assert client.get(URL).status_code == 403
        assert client.post(URL, data={"op": "save"}).status_code == 403
    assert get_override("kpis") is None


def test_problem_keys_map_to_fields():
    field_of = catalogue_builder.field_of
    assert field_of("kpis.2.target") == "kpis-2-target"
    assert field_of("kpis.2.name") == "kpis-2-name_zh"
    assert field_of("kpis.2") == "kpis-2-key"
    assert field_of("incentive.okr_weight") == "okr_weight"
    assert field_of("roleplay_qa") == "roleplay_qa"
    assert field_of(None) == catalogue_builder.GENERAL


numbers = st.one_of(
    st.integers(0, 100), st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 2))
)
names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=20
).filter(lambda s: s.strip() == s and s)


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_random_catalogues_round_trip(app, data):
    document = _shipped_document()
    kpis = data.draw(st.permutations(document["kpis"]))
    keep = data.draw(st.integers(1, len(kpis)))
    for kpi in kpis[:keep]:
        kpi["name"] = {"zh_CN": data.draw(names), "en": data.draw(names)}
        kpi["weight"] = data.draw(numbers)
        kpi["target"], kpi["floor"] = data.draw(numbers), data.draw(numbers)
    document["kpis"] = kpis[:keep]
    values = _through_the_form(app, catalogue_builder.form_values(document))
    text = catalogue_builder.dump_document(catalogue_builder.document_from_values(values))
    again = catalogue_builder.form_values(load_config_yaml(text).data)
    assert _through_the_form(app, again) == values
    assert load_config_yaml(text).data["kpis"] == document["kpis"]
