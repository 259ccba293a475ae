"""Role-play grading by a slow LLM judge in the browser: the end is immediate, the grading job
runs in a real worker process, the result page says 评分中… with its stages and shows the grade
by itself once the judge has answered."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.chat import fill_reply
from tests.e2e.test_roleplay_e2e import scenario  # noqa: F401 - fixture
from tests.jobs.conftest import queue, worker  # noqa: F401 - fixtures
from tests.roleplay.fake_openai import FakeOpenAI
from tests.roleplay.test_grading_job import _worker_env


@pytest.mark.parametrize("queue", ["sqlite"], indirect=True)
def test_result_page_grades_by_itself(
    app,
    page,
    server_url,
    make_user,
    sign_in,
    scenario,  # noqa: F811
    queue,  # noqa: F811
    worker,  # noqa: F811
):
    with FakeOpenAI(reply="好的，那你快点。") as fake:
        fake.hold_judge()
        app.config.update(
            OPENAI_API_KEY="test-key",
            OPENAI_BASE_URL=fake.base_url,
            ROLEPLAY_LLM_TIMEOUT=20.0,
            ROLEPLAY_LLM_MAX_RETRIES=0,
        )
        _worker_env(worker, fake, lease=300)
        worker.start()
        sign_in(make_user("agent"))
        page.goto(f"{server_url}/roleplay/scenarios/tiny-parcel")
        page.click("[data-testid=rp-start]")
        fill_reply(page, "非常抱歉让您着急了，麻烦发一下照片。")
        page.click("[data-testid=rp-send]")
        expect(page.locator(".rp-customer").last).to_have_text(re.compile("好的，那你快点。"))
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("[data-testid=rp-end]")
        page.wait_for_url(re.compile(r".*/roleplay/sessions/\d+/result"))
        expect(page.locator("[data-testid=rp-grading]")).to_contain_text("评分中…")
        expect(page.locator("[data-testid=rp-grading-stages] li.current")).to_have_count(1)
        fake.release_judge()
        expect(page.locator("[data-testid=rp-total]")).to_be_visible(timeout=30000)
        expect(page.locator("[data-testid=rp-grading]")).to_have_count(0)
        assert len(fake.judge_requests()) == 1
