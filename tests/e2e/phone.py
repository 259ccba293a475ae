"""Shared browser helpers: the demo data, a phone-sized signed-in page, the demo logins."""

import pytest

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
DEMO_LOGINS = {
    "agent": ("agent@demo.trainer", "Learn-2-Serve-2026"),
    "trainer": ("trainer@demo.trainer", "Teach-Well-2026"),
    "manager": ("manager@demo.trainer", "Lead-Team-2026"),
    "admin": ("admin@demo.trainer", "Keep-Safe-2026"),
}


DEMO_COMMANDS = ("content sync", "seed-demo")


@pytest.fixture
def demo(request, app, runner):
    """The shipped content and the demo users with their history, as `make run` has them.

    Tests using this fixture get the `seeded` marker (tests/e2e/conftest.py): their database
    is then a copy of a template on which these commands ran once (SQLite), or the commands
    ran on it as the app was built (PostgreSQL). Unmarked, the commands run here.
    """
    seeded = request.node.get_closest_marker("seeded")
    if seeded is None or tuple(seeded.args) != DEMO_COMMANDS:
        for command in DEMO_COMMANDS:
            result = runner.invoke(args=command.split())
            assert result.exit_code == 0, result.output
    return DEMO_LOGINS


def open_context(browser, viewport: dict, mobile: bool):
    """A browser context in Simplified Chinese, phone-like (touch, mobile viewport) if asked."""
    return browser.new_context(
        viewport=viewport,
        is_mobile=mobile,
        has_touch=mobile,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )


def sign_in_as(page, server_url: str, role: str) -> None:
    """Sign in through the login page as the demo user of a role."""
    email, password = DEMO_LOGINS[role]
    page.goto(f"{server_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{server_url}/")
