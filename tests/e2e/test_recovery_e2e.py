"""Forgotten password in the browser: ask for a link, open it from the mail in the outbox, choose
a new password and sign in with it."""

import re

from playwright.sync_api import expect

from tests.mailfixtures import outbox, read_eml  # noqa: F401 - mails land in a temporary outbox

NEW_PASSWORD = "Lantern-Orbit-Maple-42"


def test_user_resets_a_forgotten_password_from_the_outbox_mail(
    app,
    page,
    server_url,
    make_user,
    outbox,  # noqa: F811
):
    user = make_user("agent", name="小美")
    page.goto(f"{server_url}/login")
    page.click("[data-testid=forgot-link]")
    page.fill("input[name=email]", user.email)
    page.click("form.form button[type=submit]")
    expect(page.locator(".flash-info")).to_be_visible()

    mails = sorted(outbox.glob("*.eml"))
    assert len(mails) == 1
    body = read_eml(mails[0])
    assert "30" in body  # says how long the link works
    path = re.search(r"(/password/reset/[\w-]+)", body).group(1)

    page.goto(f"{server_url}{path}")
    page.fill("input[name=password]", NEW_PASSWORD)
    page.fill("input[name=confirm]", NEW_PASSWORD)
    page.click("form.form button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()

    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{server_url}/")

    page.goto(f"{server_url}{path}")  # the link worked once: back to asking for a new one
    page.wait_for_url(f"{server_url}/password/forgot")
    expect(page.locator("input[name=confirm]")).to_have_count(0)
