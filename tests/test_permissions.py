"""Walk every registered URL rule: anonymous → login, wrong role → 403, right role → not 403.

New routes are covered automatically. A view must declare its access with `role_required`,
`signed_in`, `public` or `token_access`; a view that declares nothing fails this test.
"""

import re

import pytest
from werkzeug.routing import FloatConverter, IntegerConverter, Rule

from tests.conftest import login
from trainer.core.auth import ROLES

SKIP_ENDPOINTS = {"static"}


def _url_for_rule(rule: Rule) -> str:
    """A concrete URL for the rule, with placeholder values for its arguments."""
    url = rule.rule
    for name, converter in rule._converters.items():  # noqa: SLF001
        value = "1" if isinstance(converter, IntegerConverter | FloatConverter) else "x"
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, url)
    return url


def _methods(rule: Rule) -> list[str]:
    return sorted(m for m in rule.methods if m in {"GET", "POST", "PUT", "PATCH", "DELETE"})


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint not in SKIP_ENDPOINTS]


def test_every_view_declares_access(app):
    undeclared = [
        r.endpoint for r in _rules(app) if not hasattr(app.view_functions[r.endpoint], "_access")
    ]
    assert undeclared == [], f"views without an access declaration: {undeclared}"


def test_anonymous_users_are_sent_to_login(app, client):
    for rule in _rules(app):
        access = app.view_functions[rule.endpoint]._access
        if access == "public":
            continue
        for method in _methods(rule):
            response = client.open(_url_for_rule(rule), method=method)
            if access == "token":
                assert response.status_code == 401, (rule.rule, method)
            else:
                assert response.status_code in (302, 401), (rule.rule, method, response.status_code)
                if response.status_code == 302:
                    assert "/login" in response.headers["Location"], (rule.rule, method)


@pytest.mark.parametrize("role", ROLES)
def test_roles_without_access_get_403(app, make_user, role):
    user = make_user(role)
    client = app.test_client()
    login(client, user)
    checked = 0
    for rule in _rules(app):
        access = app.view_functions[rule.endpoint]._access
        if access in ("public", "token") or rule.endpoint == "accounts.logout":
            continue
        for method in _methods(rule):
            response = client.open(_url_for_rule(rule), method=method)
            if role in access:
                # Placeholder ids may 404 and empty forms may 400, but nothing may crash.
                assert response.status_code not in (403, 500), (rule.rule, method, role)
            else:
                assert response.status_code == 403, (rule.rule, method, role, response.status_code)
            checked += 1
    assert checked > 0
