"""The app factory, headers, error pages, health check, migrations."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from trainer.extensions import db


def test_migrations_match_models(app):
    """Models and the migrated schema agree: a new model needs a migration."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_login_page_headers(client):
    response = client.get("/login")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_and_host_cookie_over_https(app, make_user):
    from tests.conftest import PASSWORD

    app.config.update(
        SECURE_COOKIES=True, SESSION_COOKIE_SECURE=True, SESSION_COOKIE_NAME="__Host-session"
    )
    user = make_user("agent")
    client = app.test_client()
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD}, base_url="https://localhost"
    )
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_signed_in_pages_are_not_cached(agent_client):
    response = agent_client.get("/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_not_found_page_is_localised(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)
    response = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert "This page does not exist." in response.get_data(as_text=True)


def test_unexpected_error_shows_no_trace(app, client):
    @app.get("/boom-test")
    def boom():
        raise RuntimeError("secret internals")

    boom._access = "public"
    response = client.get("/boom-test")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body


def test_request_size_is_capped(app, client):
    response = client.post("/login", data={"email": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert response.status_code == 413


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_csrf_is_enforced(app, make_user):
    from tests.conftest import PASSWORD

    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user("agent")
    response = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_debug_is_off_by_default():
    from trainer import create_app

    assert create_app().debug is False


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    import sqlalchemy as sa

    from trainer import create_app
    from trainer.config import Config
    from trainer.extensions import db

    app = create_app(Config(), SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'w.db'}")
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() == 10_000
            assert conn.execute(sa.text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        db.engine.dispose()
