"""Each role signs in and sees its home page; the language switch works both ways."""

import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize("role", ["agent", "trainer", "manager", "admin"])
def test_each_role_signs_in_and_sees_home(page, server_url, make_user, sign_in, role):
    user = make_user(role, name=f"测试{role}")
    sign_in(user)
    expect(page.locator("h1")).to_contain_text(f"测试{role}")
    page.click(".user-menu summary")
    page.click("[data-testid=logout]")
    expect(page).to_have_url(f"{server_url}/login")


def test_language_switch(page, server_url, make_user, sign_in):
    user = make_user("agent")
    sign_in(user)
    expect(page.locator("[data-testid=lang-switch]")).to_have_text("English")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.click("[data-testid=lang-switch]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Welcome")
    page.click("[data-testid=lang-switch]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_contain_text("欢迎")


def test_admin_creates_a_user(page, server_url, make_user, sign_in):
    admin = make_user("admin")
    sign_in(admin)
    page.goto(f"{server_url}/admin/users/new")
    page.fill("input[name=email]", "new.agent@example.org")
    page.fill("input[name=name]", "新同事")
    page.select_option("select[name=role]", "agent")
    page.fill("input[name=password]", "Quiet-River-Stone-42")
    page.click("form.form button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("新同事")
    expect(page.locator("table")).to_contain_text("new.agent@example.org")
