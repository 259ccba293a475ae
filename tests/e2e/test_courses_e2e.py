"""Browser: an agent learns an assigned course; a trainer edits a lesson and the agent sees it."""

from playwright.sync_api import expect

from tests.courses.conftest import *  # noqa: F403 - the course builders (make_course, assign)


def test_agent_completes_a_lesson_and_the_progress_bar_moves(
    page,
    server_url,
    make_user,
    sign_in,
    make_course,
    assign,
):
    agent = make_user("agent", name="学员小周")
    course = make_course("first-reply", lessons=2, title="首响基本功")
    assign(agent, course, due_days=3)
    sign_in(agent)

    page.goto(f"{server_url}/courses/")
    assigned = page.locator("[data-testid=assigned-course]")
    expect(assigned).to_contain_text("首响基本功")
    assigned.get_by_role("link", name="首响基本功").click()
    expect(page.locator("[data-testid=course-progress] progress")).to_have_attribute("value", "0")
    page.click("[data-testid=start-course]")
    expect(page.locator("[data-testid=lesson-title]")).to_have_text("第 1 课")

    # A knowledge check answered in place: the explanation appears without leaving the page.
    # Its script loads after the page (defer); answered before then, the form posts and reloads.
    check = page.locator("form[data-check]").first
    expect(check).to_have_attribute("data-ready", "true")
    check.locator("input[name=choice]").nth(1).check()
    check.locator("button[type=submit]").click()
    feedback = check.locator("[data-feedback]")
    expect(feedback).to_be_visible()
    expect(feedback).to_contain_text("行业数据显示")
    expect(check.locator("[data-option='0']")).to_have_class("check-option is-correct")
    expect(page).to_have_url(f"{server_url}/courses/first-reply/lesson-1")

    # "Complete" waits until the end of the lesson has been on screen (the course default).
    complete = page.locator("[data-testid=complete-lesson]")
    complete.scroll_into_view_if_needed()
    expect(page.locator("[data-lesson-end]")).to_have_attribute("data-reached", "1")
    complete.click()
    expect(page).to_have_url(f"{server_url}/courses/first-reply/lesson-2")
    expect(page.locator("[data-testid=course-progress] progress")).to_have_attribute("value", "50")

    complete.scroll_into_view_if_needed()
    complete.click()
    expect(page).to_have_url(f"{server_url}/courses/first-reply")
    expect(page.locator(".flash-success")).to_contain_text("首响基本功")
    expect(page.locator("[data-testid=course-progress] progress")).to_have_attribute("value", "100")
    expect(page.locator("[data-testid=course-state]")).to_contain_text("完成")


def test_trainer_edits_a_lesson_and_the_agent_sees_the_change(
    page,
    server_url,
    make_user,
    sign_in,
    make_course,
):
    trainer = make_user("trainer")
    agent = make_user("agent")
    make_course("edit-live", lessons=1, title="可编辑课程")
    sign_in(trainer)

    page.goto(f"{server_url}/courses/manage/edit-live")
    # Type only once the editor's page has loaded and its script listens: a fill racing the
    # page load would fire no input event, and the preview would never follow.
    with page.expect_navigation(wait_until="load"):
        page.click("[data-testid=edit-lesson]")
    body = page.locator("textarea[name=body]")
    body.fill("## 新的小标题\n\n培训师刚刚改写的内容。\n\n::: tip\n先说可以，再说条件。\n:::\n")
    # The live preview follows the typing, sanitised on the server.
    expect(page.locator("[data-preview] h2")).to_have_text("新的小标题")
    expect(page.locator("[data-preview] .callout-tip")).to_contain_text("先说可以")
    page.click("[data-testid=save-lesson]")
    expect(page.locator(".flash-success")).to_contain_text("2")

    page.click(".user-menu summary")
    page.click("[data-testid=logout]")
    sign_in(agent)
    page.goto(f"{server_url}/courses/edit-live/lesson-1")
    expect(page.locator("[data-testid=lesson-body] h2")).to_have_text("新的小标题")
    expect(page.locator("[data-testid=lesson-body]")).to_contain_text("培训师刚刚改写的内容")
