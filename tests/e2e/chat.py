"""The role-play chat in the browser: its script loads after the page (defer), and a message
typed before then goes as a plain form post, so tests that watch the streamed reply wait for it."""

from playwright.sync_api import expect


def fill_reply(page, text: str) -> None:
    """Type the agent's reply once the chat's script is ready."""
    expect(page.locator("#rp-chat[data-ready=true]")).to_have_count(1)
    page.fill("[data-testid=rp-input]", text)
