"""Input hygiene: huge URL ids, invalid Unicode in JSON, page numbers, the 500 handler."""

import pytest

from trainer.core.inputs import MAX_PAGE, page_number
from trainer.extensions import db


def test_huge_integer_ids_are_not_found(admin_client):
    response = admin_client.get("/admin/users/99999999999999999999999")
    assert response.status_code == 404


def test_lone_surrogates_in_json_are_refused(app, client):
    @app.post("/json-echo-test")
    def echo():
        from flask import request

        return {"got": request.get_json()}

    echo._access = "public"
    ok = client.post("/json-echo-test", data='{"a": "\\u4f60"}', content_type="application/json")
    assert ok.get_json() == {"got": {"a": "你"}}
    for body in ('"\\ud800"', '{"k": ["\\udfff"]}', '{"\\ud800": 1}'):
        response = client.post("/json-echo-test", data=body, content_type="application/json")
        assert response.status_code == 400, body


@pytest.mark.parametrize(
    ("raw", "page"),
    [(None, 1), ("", 1), ("abc", 1), ("-5", 1), ("3", 3), ("99999999999999999999", MAX_PAGE)],
)
def test_page_number(raw, page):
    assert page_number(raw) == page


def test_audit_page_survives_huge_page_numbers(admin_client):
    assert admin_client.get("/audit?page=99999999999999999999").status_code == 200


def test_failed_flush_still_renders_the_error_page(app, login_as):
    from trainer.accounts.models import User

    @app.post("/broken-write-test")
    def broken():
        db.session.add(User(email=None, name="x", role="agent", password_hash="x"))
        db.session.flush()  # NOT NULL violation
        return "unreachable"

    broken._access = "public"
    client, _user = login_as("agent")
    response = client.post("/broken-write-test")
    assert response.status_code == 500
    assert "系统出了点问题" in response.get_data(as_text=True)


def test_json_nested_beyond_the_recursion_limit_is_a_bad_request(app, client):
    @app.post("/json-deep-test")
    def deep():
        from flask import request

        return {"got": type(request.get_json()).__name__}

    deep._access = "public"
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/json-deep-test", data=body, content_type="application/json")
    assert response.status_code == 400
    shallow = client.post("/json-deep-test", data="[[1]]", content_type="application/json")
    assert shallow.get_json() == {"got": "list"}


def test_deep_json_on_a_real_endpoint_is_refused(login_as):
    client, _user = login_as("agent")
    body = '{"a":' * 50_000 + "1" + "}" * 50_000
    response = client.post(
        "/quizzes/attempts/1/answers", data=body, content_type="application/json"
    )
    assert response.status_code == 400
