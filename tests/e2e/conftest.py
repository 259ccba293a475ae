"""Browser tests: Playwright driving Debian's Chromium against the app served from a thread."""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Werkzeug's development server, which serves the app to the browser here, skips closing a
# response when the browser drops the connection while the server drains it (Chromium cancels
# a favicon or a stylesheet as it navigates on): the static file is closed by the garbage
# collector instead, and its ResourceWarning lands in whichever test runs then. gunicorn closes
# every response; only static files in this test server are let off.
STATIC_FILE_LEFT_OPEN = [
    pytest.mark.filterwarnings(r"ignore:unclosed file .*/trainer/static/:ResourceWarning"),
    pytest.mark.filterwarnings(
        r"ignore:Exception ignored in. <_io\.FileIO name='.*/trainer/static/"
        r":pytest.PytestUnraisableExceptionWarning"
    ),
]


def pytest_collection_modifyitems(config, items):
    """Mark every test here `e2e`; skip them when Chromium is missing, unless E2E_REQUIRED=1.
    A test using the `demo` fixture starts from a copy of the seeded demo database."""
    from tests.e2e.phone import DEMO_COMMANDS

    have_browser = os.path.exists(CHROMIUM)
    for item in items:
        if "/e2e/" not in str(item.fspath):
            continue
        item.add_marker(pytest.mark.e2e)
        for mark in STATIC_FILE_LEFT_OPEN:
            item.add_marker(mark)
        if "demo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.seeded(*DEMO_COMMANDS))
        if not have_browser and os.environ.get("E2E_REQUIRED") != "1":
            item.add_marker(pytest.mark.skip(reason="Chromium is not installed"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Use Debian's Chromium; Playwright's own browser download is not available here."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM} (E2E_REQUIRED=1)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def server_url(app):
    """Serve the test's app (CSRF on, as in production) on a free local port."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def sign_in(page, server_url):
    """Sign in through the login page as the given user."""
    from tests.conftest import PASSWORD

    def do(user, password: str = PASSWORD):
        page.goto(f"{server_url}/login")
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", password)
        page.click("form.form button[type=submit]")
        page.wait_for_url(f"{server_url}/")

    return do


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Browse as most of our users do: in Simplified Chinese."""
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
