"""Configuration documents are parsed once per version, not once per request (issue 12)."""

import os
from pathlib import Path

from tests.conftest import login
from trainer import config as app_config
from trainer import create_app
from trainer.accounts.services import get_user_by_email
from trainer.certification import ladder as ladders
from trainer.core import configdocs
from trainer.core.configdocs import ConfigSource
from trainer.extensions import db
from trainer.scorecards import catalogue


def test_pages_do_not_reparse_until_a_new_version_is_saved(app, login_as):
    client, _agent = login_as("agent")
    admin, _admin = login_as("admin")
    assert client.get("/").status_code == 200  # parses both documents if not cached yet
    levels, kpis = configdocs.parse_count("levels"), configdocs.parse_count("kpis")
    for _ in range(3):
        assert client.get("/").status_code == 200
        assert client.get("/scorecards/").status_code == 200
    assert (configdocs.parse_count("levels"), configdocs.parse_count("kpis")) == (levels, kpis)

    text = ladders.SHIPPED.read_text(encoding="utf-8").replace(
        "auto_grant: false", "auto_grant: true"
    )
    assert admin.post("/admin/certification/levels", data={"content": text}).status_code == 302
    assert client.get("/").status_code == 200
    assert configdocs.parse_count("levels") == levels + 1  # the new version, parsed once
    assert configdocs.parse_count("kpis") == kpis  # the catalogue did not change
    with app.test_request_context():
        assert ladders.current_ladder().auto_grant is True
    assert client.get("/").status_code == 200
    assert configdocs.parse_count("levels") == levels + 1


def test_a_new_kpi_catalogue_reparses_the_ladder_that_depends_on_it(app, login_as):
    client, _agent = login_as("agent")
    admin, _admin = login_as("admin")
    assert client.get("/").status_code == 200
    levels = configdocs.parse_count("levels")
    text = catalogue.SHIPPED.read_text(encoding="utf-8")
    assert admin.post("/admin/kpi/catalogue", data={"content": text + "\n"}).status_code == 302
    assert client.get("/").status_code == 200
    assert configdocs.parse_count("levels") == levels + 1


def test_a_changed_shipped_file_is_picked_up_by_its_mtime(app, tmp_path: Path):
    shipped = tmp_path / "thing.yaml"
    shipped.write_text("one", encoding="utf-8")
    parsed = []

    def parse(text: str) -> str:
        parsed.append(text)
        return text.upper()

    source = ConfigSource("perf-test-thing", shipped, parse)
    for _ in range(3):
        with app.app_context():  # each request has its own app context (and g)
            assert configdocs.current(source) == "ONE"
    assert parsed == ["one"]
    shipped.write_text("two", encoding="utf-8")
    stat = shipped.stat()
    os.utime(shipped, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with app.app_context():
        assert configdocs.current(source) == "TWO"
    with app.app_context():
        assert configdocs.current(source) == "TWO"
    assert parsed == ["one", "two"]


def test_every_override_is_read_in_one_query_per_request(app, login_as, count_queries):
    with app.test_request_context(), count_queries() as counter:
        ladders.current_ladder()
        catalogue.current_catalogue()
    statements = [s for s in counter.statements if "config_documents" in s]
    assert len(statements) == 1, statements


def _config_reads(client, count_queries, url: str = "/") -> list[str]:
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return [s for s in counter.statements if "config_documents" in s]


def test_a_get_checks_the_overrides_revision_with_the_session(
    app, login_as, make_user, count_queries
):
    """Pages read the overrides' revision in the session's statement; the process keeps the
    overrides until another process's save raises it (two apps: two gunicorn workers)."""
    client, _agent = login_as("agent")
    admin = make_user("admin")
    email = admin.email
    db.session.commit()
    client.get("/")
    [check] = _config_reads(client, count_queries)  # in the session's statement only
    assert "auth_sessions" in check

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    other = create_app(app_config.TestingConfig(), SQLALCHEMY_DATABASE_URI=url)
    other.test_client_class = app.test_client_class
    with other.app_context():
        admin_client = other.test_client()
        login(admin_client, get_user_by_email(email))
        text = ladders.SHIPPED.read_text(encoding="utf-8").replace(
            "auto_grant: false", "auto_grant: true"
        )
        page = admin_client.post("/admin/certification/levels", data={"content": text})
        assert page.status_code == 302
        db.session.remove()
        db.engine.dispose()

    reads = _config_reads(client, count_queries)  # the revision rose: the overrides read again
    assert len(reads) == 2 and "auth_sessions" in reads[0], reads
    revision, kept = app.extensions["trainer_config_overrides"]
    assert "auto_grant: true" in kept["levels"]
    assert len(_config_reads(client, count_queries)) == 1  # kept again
    assert app.extensions["trainer_config_overrides"][0] == revision
