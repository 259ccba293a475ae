"""The reader: catalogue, course page, lesson reader, checks, completion, locks, images, XSS."""

from tests.courses.pictures import png_bytes
from trainer.courses.models import Enrollment, LessonProgress
from trainer.courses.progress import complete_lesson
from trainer.extensions import db


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_catalogue_lists_assigned_courses_first_with_overdue_highlighted(
    app, login_as, make_course, assign
):
    client, agent = login_as("agent")
    make_course("open-course", title="自由选修")
    late = make_course("late-course", title="逾期课程")
    soon = make_course("soon-course", title="本周课程")
    assign(agent, late, due_days=-3)
    assign(agent, soon, due_days=5)
    page = html(client.get("/courses/"))
    learning = page.split('id="assigned-title"')[1].split("</section>")[0]
    assert learning.index("逾期课程") < learning.index("本周课程")
    assert "自由选修" not in learning
    assert "is-overdue" in learning.split("本周课程")[0]
    cards = page.split('class="course-grid"')[1]
    assert cards.index("逾期课程") < cards.index("自由选修")


def test_course_page_shows_progress_and_completion_date(app, login_as, make_course):
    client, agent = login_as("agent")
    course = make_course("two-lessons", lessons=2)
    complete_lesson(agent, course.lessons[0])
    db.session.commit()
    page = html(client.get("/courses/two-lessons"))
    assert 'value="50"' in page
    complete_lesson(agent, course.lessons[1])
    db.session.commit()
    page = html(client.get("/courses/two-lessons"))
    assert 'value="100"' in page and 'data-testid="course-state"' in page


def test_locked_course_names_the_missing_prerequisite(app, login_as, make_course):
    client, agent = login_as("agent")
    make_course("basics", title="基础课")
    make_course("advanced", prerequisites=["basics"], title="进阶课")
    page = html(client.get("/courses/advanced"))
    assert 'data-testid="course-lock"' in page and "基础课" in page
    response = client.get("/courses/advanced/lesson-1")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/courses/advanced"
    )
    assert client.post("/courses/advanced/lesson-1/complete").status_code == 302
    assert db.session.scalar(db.select(db.func.count(LessonProgress.id))) == 0


def test_prerequisite_completed_unlocks(app, login_as, make_course):
    client, agent = login_as("agent")
    basics = make_course("basics", lessons=1)
    make_course("advanced", prerequisites=["basics"])
    complete_lesson(agent, basics.lessons[0])
    db.session.commit()
    assert "course-lock" not in html(client.get("/courses/advanced"))
    assert client.get("/courses/advanced/lesson-1").status_code == 200


def test_trainer_reads_locked_and_draft_courses(app, login_as, make_course):
    client, _ = login_as("trainer")
    make_course("basics")
    make_course("draft", published=False, prerequisites=["basics"])
    assert client.get("/courses/draft/lesson-1").status_code == 200


def test_agents_do_not_see_drafts_or_retired_lessons(app, login_as, make_course):
    from trainer.core.clock import utcnow

    client, _ = login_as("agent")
    make_course("draft", published=False)
    course = make_course("live")
    course.lessons[1].retired_at = utcnow()
    db.session.commit()
    assert client.get("/courses/draft").status_code == 404
    assert "draft" not in html(client.get("/courses/"))
    assert client.get("/courses/live/lesson-2").status_code == 404
    assert "lesson-2" not in html(client.get("/courses/live"))


def test_complete_moves_on_and_finishes_the_course(app, login_as, make_course):
    client, agent = login_as("agent")
    make_course("short", lessons=2)
    assert client.post("/courses/short/lesson-1/reached").get_json() == {"reached": True}
    response = client.post("/courses/short/lesson-1/complete")
    assert response.headers["Location"].endswith("/courses/short/lesson-2")
    client.post("/courses/short/lesson-2/reached")
    response = client.post("/courses/short/lesson-2/complete")
    assert response.headers["Location"].endswith("/courses/short")
    enrollment = db.session.scalar(db.select(Enrollment).where(Enrollment.user_id == agent.id))
    assert enrollment.completed_at is not None and enrollment.assigned_at is None
    # Completing again changes nothing.
    first = enrollment.completed_at
    client.post("/courses/short/lesson-2/complete")
    db.session.expire_all()
    assert db.session.get(Enrollment, enrollment.id).completed_at == first


def test_resume_where_they_left_off(app, login_as, make_course):
    client, agent = login_as("agent")
    course = make_course("five", lessons=5)
    complete_lesson(agent, course.lessons[0])
    complete_lesson(agent, course.lessons[2])
    db.session.commit()
    page = html(client.get("/courses/five"))
    start = page.split('data-testid="start-course"')[1]
    assert "/courses/five/lesson-4" in start.split(">")[0] or "lesson-4" in start[:200]
    page = html(client.get("/courses/"))
    assert "/courses/five/lesson-4" in page.split('data-testid="resume"')[1][:200]


def test_checks_answered_as_json_and_as_a_plain_form(app, login_as, make_course):
    client, agent = login_as("agent")
    make_course("quiz-me", lessons=1)
    response = client.post("/courses/quiz-me/lesson-1/checks/0", json={"choice": 1})
    data = response.get_json()
    assert response.status_code == 200
    assert data["correct"] is False and data["answer"] == 0 and "30 秒" in data["explanation"]
    response = client.post("/courses/quiz-me/lesson-1/checks/0", data={"choice": "0"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#check-0")
    page = html(client.get("/courses/quiz-me/lesson-1"))
    assert "is-correct" in page and "行业数据显示" in page


def test_bad_check_answers_are_refused(app, login_as, make_course):
    client, _ = login_as("agent")
    make_course("quiz-me", lessons=1)
    for body in ({"choice": 9}, {"choice": "x"}, {}):
        response = client.post("/courses/quiz-me/lesson-1/checks/0", json=body)
        assert response.status_code == 400 and "error" in response.get_json()
    response = client.post("/courses/quiz-me/lesson-1/checks/5", json={"choice": 0})
    assert response.status_code == 400
    assert client.post("/courses/quiz-me/lesson-1/checks/0", data={}).status_code == 302


def test_check_answers_that_are_not_objects_or_finite_numbers_get_a_400(app, login_as, make_course):
    client, _ = login_as("agent")
    make_course("quiz-me", lessons=1)
    url = "/courses/quiz-me/lesson-1/checks/0"
    for body in ([1], "x", 1, {"choice": [1]}, {"choice": "1" * 5000}):
        response = client.post(url, json=body)
        assert response.status_code == 400 and response.get_json()["error"], body
    for raw in ('{"choice": Infinity}', '{"choice": -Infinity}', '{"choice": 1e400}'):
        response = client.post(url, data=raw, content_type="application/json")
        assert response.status_code == 400 and response.get_json()["error"], raw


def test_lesson_markdown_is_sanitised(app, login_as, make_course):
    client, _ = login_as("agent")
    evil = (
        "正文<script>alert('x')</script>\n\n"
        "[点我](javascript:alert(1))\n\n"
        '<img src=x onerror="alert(1)">\n\n'
        "![x](images/../../secret.png)\n\n::: good\n<b onclick=alert(1)>好</b>\n:::\n"
    )
    make_course("evil", lessons=1, body=evil)
    page = html(client.get("/courses/evil/lesson-1"))
    body = page.split('data-testid="lesson-body">')[1].split("</div>\n")[0]
    assert "<script>alert" not in page
    assert 'href="javascript' not in body and "<img src=x" not in body and "<b " not in body
    assert "&lt;script&gt;" in body  # shown as text, never run
    assert "secret.png" not in body.split("<img")[1].split(">")[0]


def test_course_titles_are_escaped(app, login_as, make_course):
    client, _ = login_as("agent")
    make_course("xss-title", title='<script>alert("t")</script>')
    for url in ("/courses/", "/courses/xss-title", "/courses/xss-title/lesson-1", "/"):
        page = html(client.get(url))
        assert '<script>alert("t")' not in page


def test_images_are_served_safely(app, login_as, make_course):
    from trainer.courses.images import save_image

    client, user = login_as("agent")
    course = make_course("pictures")
    png = png_bytes()
    save_image(course, "flow.png", png, user)
    db.session.commit()
    response = client.get("/courses/pictures/images/flow.png")
    assert response.status_code == 200 and response.data == png
    assert response.mimetype == "image/png"
    for name in ("missing.png", "..%2Fcourse.yaml", "flow.svg", "%2e%2e"):
        assert client.get(f"/courses/pictures/images/{name}").status_code == 404


def test_shipped_images_come_from_the_course_folder(app, login_as, synced, tmp_path):
    app.config["CONTENT_ROOT"] = tmp_path
    folder = tmp_path / "courses" / "after-sales" / "images"
    folder.mkdir(parents=True)
    (folder / "box.jpg").write_bytes(b"\xff\xd8\xff" + b"\0" * 16)
    client, _ = login_as("agent")
    assert client.get("/courses/after-sales/images/box.jpg").data.startswith(b"\xff\xd8\xff")
    assert client.get("/courses/after-sales/images/course.yaml").status_code == 404


def test_shipped_lesson_renders_callouts(app, login_as, synced):
    client, _ = login_as("agent")
    page = html(client.get("/courses/service-foundations/trust-agent"))
    assert 'class="callout callout-good"' in page
    assert "checks" in page and "data-check" in page


def test_checks_of_a_locked_course_are_refused(app, login_as, make_course):
    client, _ = login_as("agent")
    make_course("basics")
    make_course("advanced", prerequisites=["basics"])
    response = client.post("/courses/advanced/lesson-1/checks/0", json={"choice": 0})
    assert response.status_code == 403 and "error" in response.get_json()
    assert db.session.scalar(db.select(db.func.count(LessonProgress.id))) == 0


def test_lesson_page_shows_the_readers_place_in_the_course(app, login_as, make_course):
    """The side list marks done and current lessons, an earlier reading of a changed lesson is
    flagged, the pager links the neighbours, and only the open lesson's text is shown."""
    client, agent = login_as("agent")
    course = make_course("four", lessons=4)
    first, second, third, _fourth = course.lessons
    third.body = "第三课独有的正文"
    complete_lesson(agent, first)
    complete_lesson(agent, second)
    second.version += 1  # changed since it was read
    retired = course.lessons[3]
    retired.retired_at = retired.created_at
    db.session.commit()
    page = html(client.get("/courses/four/lesson-2"))
    items = page.split('class="lesson-list compact"')[1].split("</ol>")[0].split("<li")[1:]
    assert len(items) == 3  # the retired lesson is not listed
    assert 'class="is-done"' in items[0] and ">✓<" in items[0]
    assert 'class=" is-current"' in items[1] and 'aria-current="page"' in items[1]
    assert 'href="/courses/four/lesson-3"' in items[2] and ">3<" in items[2]
    assert "第 2 课，共 3 课" in page
    assert 'data-testid="lesson-done"' not in page
    assert 'class="badge warn"' in page  # updated since read
    assert 'rel="prev" href="/courses/four/lesson-1"' in page
    assert 'rel="next" href="/courses/four/lesson-3"' in page
    assert "第三课独有的正文" not in page
    assert "第三课独有的正文" in html(client.get("/courses/four/lesson-3"))
    assert client.get("/courses/four/lesson-4").status_code == 404
    assert client.get("/courses/four/no-such-lesson").status_code == 404
    assert client.get("/courses/no-such-course/lesson-1").status_code == 404


def test_lesson_links_are_what_url_for_builds(app):
    """The reader's lesson links come from one prefix and the route's converter: the same URLs
    as url_for, whatever the slugs hold."""
    from flask import url_for

    from trainer.courses.views import _lesson_urls

    with app.test_request_context("/"):
        for course_slug in ("basics", "a b", "课程"):
            link = _lesson_urls(course_slug)
            for lesson_slug in ("lesson-1", "a b/c?d#e", "第一课", "%41", "-"):
                expected = url_for("courses.lesson", slug=course_slug, lesson_slug=lesson_slug)
                assert link(lesson_slug) == expected
