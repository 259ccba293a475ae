"""Shared fixtures: an app on a freshly migrated database per test, clients per role, builders.

The schema is built once per run (per pytest-xdist worker) with `flask db upgrade` (never
`create_all`), then every test gets a pristine copy: a copied SQLite file, or on PostgreSQL
(TEST_DATABASE_URL) a private database whose tables are emptied after each test.
"""

import contextlib
import contextvars
import copy
import functools
import os
import shutil
import uuid
from collections.abc import Iterator

import jinja2
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event
from werkzeug.routing import Rule

from trainer import create_app
from trainer.config import TestingConfig
from trainer.core.cli import compile_catalogues
from trainer.extensions import db

PASSWORD = "Correct-Horse-Battery-9"


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own contexts, as in production.

    The test holds an app context for database access; without isolation each request would
    reuse it and share `g` (Flask-Login's cached user, Babel's locale) across clients.
    The body is read inside that context too (`buffered`): a streamed response (CSV exports,
    `stream_with_context`) then runs its generator while its request is still the current one,
    as under a WSGI server, so the GET-write watcher and the query counter see its statements.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


class SharedTemplateCache(jinja2.BytecodeCache):
    """Compiled templates shared by the apps of every test in this process.

    Each test builds its own app, whose Jinja environment would compile every template it
    renders again (a few hundred ms per page-rendering test). Jinja checks the source's checksum
    before reusing code, so an edited template is still compiled afresh.
    """

    def __init__(self) -> None:
        self.codes: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        checksum, code = self.codes.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[bucket.key] = (bucket.checksum, bucket.code)


TEMPLATE_CACHE = SharedTemplateCache()


def _memoise_url_builders() -> None:
    """Let the apps of this process share Werkzeug's compiled URL builders.

    Werkzeug compiles two builder functions per URL rule (through `ast` and `compile`) every time
    a rule joins a map: about 45 ms of every test's app. A builder depends only on the rule's
    parsed parts, its defaults and the flavour; it reaches the converters through the rule it
    is bound to at call time, so one compiled function serves every app's copy of the rule.
    """
    compile_builder = Rule._compile_builder  # noqa: SLF001
    builders: dict[tuple, object] = {}

    def shared(self, append_unknown: bool = True):
        defaults = repr(sorted((self.defaults or {}).items()))
        key = (self.rule, tuple(self._trace), defaults, append_unknown)  # noqa: SLF001
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = shared  # noqa: SLF001


_memoise_url_builders()


def _memoise_rule_parsing() -> None:
    """Let the apps of this process share Werkzeug's parsing of URL rules.

    Every rule is parsed again (regular expressions, weights) when it joins an app's map: about
    half of the rest of each test's app. The parts, the trace and the converters a rule needs
    depend only on the rule's text and the map's converter classes; the parts are only ever
    read (by the matcher). Each app's rule still gets converters of its own, bound to its map.
    """
    parse_rule = Rule._parse_rule  # noqa: SLF001
    parsed: dict[tuple, tuple[list, list, list]] = {}

    def shared(self, rule: str):
        key = (rule, tuple(self.map.converters.items()))
        if key not in parsed:
            made: list[tuple] = []
            get_converter = self.get_converter

            def recording(variable, name, args, kwargs):
                made.append((variable, name, args, kwargs))
                return get_converter(variable, name, args, kwargs)

            traced = len(self._trace)  # noqa: SLF001
            self.get_converter = recording
            try:
                parts = list(parse_rule(self, rule))
            finally:
                del self.get_converter
            parsed[key] = (parts, self._trace[traced:], made)  # noqa: SLF001
            return iter(parts)
        parts, trace, made = parsed[key]
        self._trace.extend(trace)  # noqa: SLF001
        for variable, name, args, kwargs in made:
            self._converters[variable] = self.get_converter(variable, name, args, kwargs)  # noqa: SLF001
            self.arguments.add(variable)
        return iter(parts)

    Rule._parse_rule = shared  # noqa: SLF001


_memoise_rule_parsing()


def _memoise_yaml_parsing() -> None:
    """Let the tests of this process share parsed YAML documents.

    The same shipped files (configuration, courses, scenarios, drills, the skills map) are
    parsed again by every test that syncs content or renders a page reading configuration:
    pure-Python PyYAML made about a third of the suite's CPU time. `yamlsafe.compose` is a pure
    function of its text, so a successful parse is kept (the node tree, only ever read, and
    the data, handed out as a deep copy: callers may change it); refusals are not kept, so
    their messages are built afresh in the current language. `compose` imported by name
    (its own tests, the clause lexicons) stays the real one.
    """
    from trainer.core import yamlsafe

    compose = yamlsafe.compose

    @functools.lru_cache(maxsize=1024)
    def parsed(text: str, loader_class: type) -> tuple:
        return compose(text, loader_class)

    def shared(text: str, loader_class: type = yamlsafe.StrictLoader) -> tuple:
        node, data = parsed(text, loader_class)
        return node, copy.deepcopy(data)

    yamlsafe.compose = shared


_memoise_yaml_parsing()


def pytest_configure(config) -> None:
    """Compile translations once, in the main process (xdist workers start after this)."""
    if not hasattr(config, "workerinput"):
        compile_catalogues()


def pytest_collection_modifyitems(config, items) -> None:
    """Mark `db_free` every test that asks for no test database (`database_url`, which `app`
    and every builder depend on): it runs the same whatever TEST_DATABASE_URL says, so CI runs
    it once, in the SQLite pass, and leaves it out of the PostgreSQL one (`-m "not db_free"`).
    """
    for item in items:
        if "database_url" not in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db_free)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """A migrated template database for this run (SQLite file or a private PostgreSQL db).

    Each pytest-xdist worker is a session of its own, so it gets its own template and, on
    PostgreSQL, its own database (named after the worker).
    """
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if not pg_url:
        path = tmp_path_factory.mktemp("db") / "template.db"
        url = f"sqlite:///{path}"
        _migrate(url)
        yield url
        return
    base = sa.make_url(pg_url)
    if base.drivername in ("postgresql", "postgres"):
        base = base.set(drivername="postgresql+psycopg")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"trainer_test_{worker}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        _migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def worker_bytecode(tmp_path_factory):
    """Where the app's subprocesses (`flask worker`, see tests/jobs) keep compiled modules in
    this run and pytest-xdist worker."""
    return tmp_path_factory.mktemp("bytecode")


def _migrate(url: str) -> None:
    app = create_app(TestingConfig(), SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _run_commands(app, commands: tuple[str, ...]) -> None:
    runner = app.test_cli_runner()
    for command in commands:
        result = runner.invoke(args=command.split())
        assert result.exit_code == 0, f"{command}: {result.output}"


@pytest.fixture(scope="session")
def seeded_templates(database_url, tmp_path_factory):
    """SQLite templates on which CLI commands already ran (`content sync`, `seed-demo`), built
    once per run and worker on first use: `@pytest.mark.seeded("content sync", "seed-demo")`
    gives a test a copy of one instead of running the commands itself (seconds per test).
    On PostgreSQL the marked test gets the rows the commands left instead (`seeded_snapshots`;
    a database copied per test would cost a CREATE and a DROP DATABASE, and a DROP waits for
    a checkpoint).
    """
    built: dict[tuple[str, ...], str] = {}

    def template(commands: tuple[str, ...]) -> str:
        if commands not in built:
            path = tmp_path_factory.mktemp("seeded") / "template.db"
            shutil.copyfile(database_url.removeprefix("sqlite:///"), path)
            url = f"sqlite:///{path}"
            app = create_app(TestingConfig(), SQLALCHEMY_DATABASE_URI=url)
            with app.app_context():
                _run_commands(app, commands)
                db.session.remove()
                db.engine.dispose()
            built[commands] = url
        return built[commands]

    return template


@pytest.fixture(scope="session")
def seeded_snapshots():
    """PostgreSQL's counterpart of `seeded_templates`: the rows (and sequence positions) the
    CLI commands leave, taken once per run and worker on first use, then put back into the
    test's emptied database by each marked test (running them costs seconds per test).
    Restoring turns foreign-key triggers off (tables refer to each other both ways), which
    takes a superuser: without one, there is no snapshot (None)."""
    taken: dict[tuple[str, ...], tuple[dict, list] | None] = {}

    def snapshot(app, commands: tuple[str, ...]) -> tuple[dict, list] | None:
        if commands not in taken and not db.session.scalar(SUPERUSER):
            taken[commands] = None
        if commands not in taken:
            _run_commands(app, commands)
            db.session.remove()
            with db.engine.connect() as conn:
                rows = {
                    table.name: [dict(row._mapping) for row in conn.execute(_ordered(table))]
                    for table in db.metadata.sorted_tables
                }
                sequences = conn.execute(USED_SEQUENCES).all()
            _empty_postgres_database(db.engine)
            taken[commands] = (rows, sequences)
        return taken[commands]

    return snapshot


def _ordered(table: sa.Table) -> sa.Select:
    """All rows of `table` in primary-key order (rows referring to earlier rows come later)."""
    return table.select().order_by(*table.primary_key.columns)


SUPERUSER = sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
USED_SEQUENCES = sa.text(
    "SELECT format('%I.%I', schemaname, sequencename), last_value"
    " FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
)


def _restore_snapshot(engine: sa.Engine, snapshot: tuple[dict, list]) -> None:
    """Insert a snapshot's rows (referenced tables first) and set its sequences."""
    rows, sequences = snapshot
    with engine.begin() as conn:
        # The rows are consistent as a whole, not in any one insertion order.
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for table in db.metadata.sorted_tables:
            if rows[table.name]:
                conn.execute(table.insert(), rows[table.name])
        for name, value in sequences:
            conn.execute(
                sa.text("SELECT setval(CAST(:name AS regclass), :value)"),
                dict(name=name, value=value),
            )


@pytest.fixture
def app(request, database_url, tmp_path):
    """The app bound to a pristine database for this test (with the `seeded` marker: one on
    which these CLI commands ran, see `seeded_templates`)."""
    if request.node.get_closest_marker("db_free"):
        # Asked for through request.getfixturevalue: the test was marked as needing no
        # database, so the PostgreSQL pass of CI would never run it.
        pytest.fail("a db_free test uses the database: request `app` (or a builder) by name")
    is_sqlite = database_url.startswith("sqlite")
    seeded = request.node.get_closest_marker("seeded")
    url = database_url
    if is_sqlite:
        source = database_url
        if seeded:
            source = request.getfixturevalue("seeded_templates")(tuple(seeded.args))
        copy = tmp_path / "test.db"
        shutil.copyfile(source.removeprefix("sqlite:///"), copy)
        url = f"sqlite:///{copy}"
    app = create_app(TestingConfig(), SQLALCHEMY_DATABASE_URI=url)
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    with app.app_context():
        if seeded and not is_sqlite:
            snapshot = request.getfixturevalue("seeded_snapshots")(app, tuple(seeded.args))
            if snapshot is None:  # not a superuser: run the commands on this database
                _run_commands(app, tuple(seeded.args))
                db.session.remove()
            else:
                _restore_snapshot(db.engine, snapshot)
        yield app
        db.session.remove()
        if not is_sqlite:
            _empty_postgres_database(db.engine)
        db.engine.dispose()


# Sequences the test advanced go back to their start, as TRUNCATE … RESTART IDENTITY does.
RESTART_USED_SEQUENCES = sa.text(
    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)"
    " FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
)


def _empty_postgres_database(engine: sa.Engine) -> None:
    """Leave the test's PostgreSQL database as migrated: no rows, sequences at their start.

    TRUNCATE of every table took over a second per test (each truncated table gets new files);
    a test writes to a few tables, so one statement finds those, and DELETE empties them,
    referencing tables first.
    """
    tables = db.metadata.sorted_tables
    probe = " UNION ALL ".join(f"""(SELECT '{t.name}' FROM "{t.name}" LIMIT 1)""" for t in tables)
    with engine.begin() as conn:
        filled = set(conn.execute(sa.text(probe)).scalars())
        for table in reversed(tables):
            if table.name in filled:
                conn.execute(sa.text(f'DELETE FROM "{table.name}"'))
        conn.execute(RESTART_USED_SEQUENCES)


@pytest.fixture
def client(app):
    """An anonymous test client (overrides pytest-flask's, which keeps contexts open)."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner bound to the app."""
    return app.test_cli_runner()


@pytest.fixture
def make_team(app):
    """Build a team, optionally with a manager."""
    from trainer.accounts import services

    counter = iter(range(1, 10_000))

    def build(name: str | None = None, manager=None):
        team = services.create_team(name or f"Team {next(counter)}", manager)
        db.session.commit()
        return team

    return build


@pytest.fixture
def make_user(app):
    """Build a user of any role; password is `PASSWORD` unless given."""
    from trainer.accounts import services

    counter = iter(range(1, 100_000))

    def build(
        role: str = "agent",
        *,
        team=None,
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
        active: bool = True,
    ):
        n = next(counter)
        user = services.create_user(
            email=email or f"{role}{n}@example.org",
            name=name or f"{role.title()} {n}",
            role=role,
            password=password,
            team=team,
        )
        user.active = active
        db.session.commit()
        return user

    return build


def login(client, user, password: str = PASSWORD):
    """Sign `user` in through the real login form."""
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def login_as(app, make_user):
    """Return a test client signed in as a new user of the given role (and the user)."""

    def sign_in(role: str = "agent", **kwargs):
        user = make_user(role, **kwargs)
        client = app.test_client()
        login(client, user)
        return client, user

    return sign_in


@pytest.fixture
def agent_client(login_as):
    """A client signed in as an agent."""
    return login_as("agent")[0]


@pytest.fixture
def trainer_client(login_as):
    """A client signed in as a trainer."""
    return login_as("trainer")[0]


@pytest.fixture
def manager_client(login_as):
    """A client signed in as a manager."""
    return login_as("manager")[0]


@pytest.fixture
def admin_client(login_as):
    """A client signed in as an admin."""
    return login_as("admin")[0]


class QueryCounter:
    """Counts SQL statements run on the app's engine while active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)


@pytest.fixture
def count_queries(app):
    """Context manager: `with count_queries() as counter: ...; counter.count`."""

    @contextlib.contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


# Session bookkeeping is the one write a GET may cause: the server-side session's last_seen_at
# (at most once a minute) and revoking an expired session (trainer/accounts/sessions.py).
GET_WRITE_ALLOWED_TABLES = ("auth_sessions",)
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE")


class GetWriteWatcher:
    """Records every INSERT/UPDATE/DELETE issued while a GET request is being handled."""

    def __init__(self) -> None:
        self.writes: list[tuple[str, str]] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        from flask import has_request_context, request

        if not has_request_context() or request.method not in ("GET", "HEAD"):
            return
        words = statement.lstrip().split(None, 3)
        if not words or words[0].upper() not in WRITE_VERBS:
            return
        table = next((w for w in words[1:] if w.upper() not in ("INTO", "FROM")), "")
        if table.strip('"').lower() in GET_WRITE_ALLOWED_TABLES:
            return
        self.writes.append((request.full_path, " ".join(statement.split())[:160]))


def reads_only(call):
    """Run `call` (GET requests) and fail if any of them wrote to the database; its result."""
    watcher = GetWriteWatcher()
    event.listen(db.engine, "before_cursor_execute", watcher)
    try:
        result = call()
    finally:
        event.remove(db.engine, "before_cursor_execute", watcher)
    assert watcher.writes == [], f"GET requests wrote to the database: {watcher.writes}"
    return result


@pytest.fixture
def no_writes_on_get(app):
    """Fail the test if any GET request writes to the database (SQLAlchemy event hook)."""
    watcher = GetWriteWatcher()
    event.listen(db.engine, "before_cursor_execute", watcher)
    try:
        yield watcher
    finally:
        event.remove(db.engine, "before_cursor_execute", watcher)
    assert watcher.writes == [], f"GET requests wrote to the database: {watcher.writes}"
