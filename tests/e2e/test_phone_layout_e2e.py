"""Every agent page at 375×812: no sideways scrolling, thumb-sized controls, a chat and a quiz
that still fit once the on-screen keyboard takes half the screen."""

import pytest
from playwright.sync_api import expect

from tests.e2e.pagewalk import OVERFLOW_JS, SMALL_TARGETS_JS, start_urls, walk
from tests.e2e.phone import PHONE, demo, open_context, sign_in_as  # noqa: F401 - fixture

KEYBOARD_OPEN = {"width": 375, "height": 420}  # 812 px minus a Chinese IME keyboard


@pytest.fixture
def phone(browser, server_url, demo):  # noqa: F811 - the demo fixture
    """A phone-sized page signed in as the demo agent."""
    context = open_context(browser, PHONE, mobile=True)
    page = context.new_page()
    sign_in_as(page, server_url, "agent")
    yield page
    context.close()


def _start_quiz_and_chat(page, server_url) -> list[str]:
    """Open a quiz attempt and a role-play chat, so the live pages are walked too."""
    page.goto(f"{server_url}/quizzes/anti-fraud-privacy")
    page.click("[data-testid=start-attempt]")
    page.wait_for_url("**/quizzes/attempts/*")
    quiz_path = page.url.removeprefix(server_url)
    page.goto(f"{server_url}/roleplay/")
    page.locator("a[href^='/roleplay/scenarios/']").first.click()
    page.click("[data-testid=rp-start]")
    page.wait_for_url("**/roleplay/sessions/*")
    return [quiz_path, page.url.removeprefix(server_url)]


def test_every_agent_page_fits_a_phone(app, phone, server_url):
    live = _start_quiz_and_chat(phone, server_url)
    overflow: dict[str, list[str]] = {}
    small: dict[str, list[str]] = {}

    def check(path, endpoint):
        problems = phone.evaluate(OVERFLOW_JS)
        if problems:
            overflow[path] = problems
        targets = phone.evaluate(SMALL_TARGETS_JS)
        if targets:
            small[path] = targets

    covered = walk(app, phone, server_url, "agent", check, extra=tuple(live))
    assert {"quiz_attempts.attempt", "roleplay.chat", "courses.lesson"} <= covered.keys()
    missing = [u for u in start_urls(app, "agent") if not any(u in v for v in covered.values())]
    assert missing == [], f"agent pages the walk could not open: {missing}"
    assert len(covered) >= 15, covered
    assert overflow == {}, _listing(overflow)
    assert small == {}, _listing(small)


def _listing(found: dict[str, list[str]]) -> str:
    return "\n" + "\n".join(f"{path}: {'; '.join(items)}" for path, items in found.items())


def test_chat_and_quiz_fit_with_the_keyboard_open(phone, server_url):
    quiz_path, chat_path = _start_quiz_and_chat(phone, server_url)
    phone.goto(server_url + chat_path)
    phone.click("[data-testid=rp-input]")
    phone.set_viewport_size(KEYBOARD_OPEN)
    phone.locator("[data-testid=rp-input]").fill("您好，我马上帮您查一下订单。")
    # The composer and the send button are on screen together with part of the conversation.
    for selector in ("[data-testid=rp-input]", "[data-testid=rp-send]"):
        expect(phone.locator(selector)).to_be_in_viewport()
    transcript = phone.locator("[data-testid=rp-transcript]").bounding_box()
    assert transcript["height"] >= 80
    assert phone.evaluate(OVERFLOW_JS) == []

    phone.set_viewport_size(PHONE)
    phone.goto(server_url + quiz_path)
    field = phone.locator("fieldset.quiz-question input").first
    field.focus()
    phone.set_viewport_size(KEYBOARD_OPEN)
    assert phone.evaluate(OVERFLOW_JS) == []
