"""GET requests never write: walk every page the permission walk visits, as each role, on the
demo data, with a hook that records any INSERT/UPDATE/DELETE issued during a GET.

Besides the placeholder URLs of the permission walk, each rule is also visited with real ids and
slugs from the demo (capped per rule), so pages that only write for existing records are seen.
"""

import itertools
import re

import pytest
from werkzeug.routing import IntegerConverter

from tests.conftest import PASSWORD, login
from tests.test_permissions import _rules, _url_for_rule
from trainer.accounts.services import get_user_by_email
from trainer.core import clock
from trainer.core.auth import ROLES
from trainer.extensions import db

PER_RULE = 8
DEMO = {
    "agent": ("agent@demo.trainer", "Learn-2-Serve-2026"),
    "manager": ("manager@demo.trainer", "Lead-Team-2026"),
}


def _candidates(app) -> dict[str, list[str]]:
    """Real values for URL arguments, from the demo data."""
    from trainer.courses.models import Course, Lesson
    from trainer.quizzes.models import Quiz
    from trainer.roleplay.models import Scenario

    slugs = []
    for model in (Course, Quiz, Scenario):
        slugs += list(db.session.scalars(db.select(model.slug).order_by(model.id).limit(2)))
    lessons = list(db.session.scalars(db.select(Lesson.slug).order_by(Lesson.id).limit(2)))
    quarter = f"{clock.today().year}-Q{(clock.today().month - 1) // 3 + 1}"
    return {"slug": slugs or ["x"], "lesson_slug": lessons or ["x"], "quarter": [quarter]}


def _real_urls(rule, candidates) -> list[str]:
    names = list(rule._converters)  # noqa: SLF001
    choices = []
    for name in names:
        if isinstance(rule._converters[name], IntegerConverter):  # noqa: SLF001
            choices.append(["1", "2", "3"])
        else:
            choices.append(candidates.get(name, ["x"]))
    urls = []
    for values in itertools.islice(itertools.product(*choices), PER_RULE):
        url = rule.rule
        for name, value in zip(names, values, strict=True):
            url = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, url)
        urls.append(url)
    return urls


@pytest.mark.seeded("seed-demo")
@pytest.mark.parametrize("role", ROLES)
def test_get_pages_do_not_write(app, make_user, request, role):
    if role in DEMO:  # the demo's own agent and manager see the richest pages
        email, password = DEMO[role]
        user = get_user_by_email(email)
    else:
        user, password = make_user(role), PASSWORD
    client = app.test_client()
    login(client, user, password)
    candidates = _candidates(app)
    watcher = request.getfixturevalue("no_writes_on_get")  # watch from here on
    visited = 0
    for rule in _rules(app):
        access = app.view_functions[rule.endpoint]._access
        if "GET" not in rule.methods or access == "token" or rule.endpoint == "accounts.logout":
            continue
        for url in dict.fromkeys([_url_for_rule(rule), *_real_urls(rule, candidates)]):
            client.get(url)
            visited += 1
    assert visited > 50
    assert watcher.writes == [], watcher.writes
