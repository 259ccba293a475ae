"""Trainers author courses in the browser: create, lessons, versions, order, publish, images."""

from tests.courses.pictures import png_bytes
from trainer.core.audit import AuditEvent
from trainer.courses.models import Course, CourseImage, Lesson
from trainer.extensions import db

COURSE_FORM = {
    "slug": "new-course",
    "title_zh": "新课程",
    "title_en": "New course",
    "summary_zh": "学完能做什么。",
    "summary_en": "What you can do.",
    "category": "foundations",
    "level": "L1",
    "estimated_minutes": "20",
}
BODY = "## 小标题\n\n正文内容。\n\n::: tip\n先说可以，再说条件。\n:::\n"


def lesson_form(**overrides) -> dict:
    data = {
        "slug": "first",
        "title_zh": "第一课",
        "title_en": "First",
        "minutes": "5",
        "body": BODY,
        "checks-0-question": "先说什么？",
        "checks-0-options": "先说可以\n先说条件",
        "checks-0-answer": "1",
        "checks-0-explanation": "先说可以，顾客更容易接受。",
    }
    data.update(overrides)
    return data


def get_course(slug: str) -> Course:
    db.session.expire_all()
    return db.session.scalar(db.select(Course).where(Course.slug == slug))


def test_trainer_creates_a_draft_course_and_adds_a_lesson(app, trainer_client):
    response = trainer_client.post("/courses/manage/new", data=COURSE_FORM)
    assert response.status_code == 302
    course = get_course("new-course")
    assert course.published is False and course.source == "editor"
    response = trainer_client.post("/courses/manage/new-course/lessons/new", data=lesson_form())
    assert response.status_code == 302
    lesson = get_course("new-course").lessons[0]
    assert lesson.version == 1 and lesson.checks[0]["answer"] == 0
    assert lesson.checks[0]["options"] == ["先说可以", "先说条件"]
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "lesson.create"))


def test_course_form_refuses_bad_slugs_and_cycles(app, trainer_client, make_course):
    make_course("taken")
    for slug in ("taken", "Bad Slug", "manage"):
        response = trainer_client.post("/courses/manage/new", data={**COURSE_FORM, "slug": slug})
        assert response.status_code == 200
    make_course("a", prerequisites=[])
    make_course("b", prerequisites=["a"])
    response = trainer_client.post(
        "/courses/manage/a", data={**COURSE_FORM, "prerequisites": ["b"]}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and ("循环" in page or "cycle" in page)
    assert get_course("a").prerequisites == []


def test_editing_a_lesson_creates_a_new_version(app, trainer_client, make_course):
    make_course("edit-me", lessons=1)
    url = "/courses/manage/edit-me/lessons/lesson-1"
    page = trainer_client.get(url).get_data(as_text=True)
    assert "首次响应应在多少秒内" in page
    response = trainer_client.post(url, data=lesson_form(body=BODY + "\n补充一句。\n"))
    assert response.status_code == 302
    lesson = get_course("edit-me").lessons[0]
    assert lesson.version == 2 and "补充一句" in lesson.body
    assert [v.version for v in lesson.versions] == [1, 2]
    assert "补充一句" not in lesson.versions[0].body
    # Saving the same content again makes no version.
    trainer_client.post(url, data=lesson_form(body=BODY + "\n补充一句。\n"))
    assert get_course("edit-me").lessons[0].version == 2
    old = trainer_client.get(url + "/versions/1").get_data(as_text=True)
    assert "顾客第一次开口时" in old


def test_lesson_body_problems_are_shown_with_line_numbers(app, trainer_client, make_course):
    make_course("lines", lessons=1)
    body = "第一行\n\n::: good\n没有关闭\n"
    response = trainer_client.post(
        "/courses/manage/lines/lessons/lesson-1", data=lesson_form(body=body)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="body-problems"' in page
    problems = page.split('data-testid="body-problems"')[1][:400]
    assert "第 3 行" in problems or "Line 3" in problems
    assert get_course("lines").lessons[0].version == 1


def test_incomplete_knowledge_check_is_refused(app, trainer_client, make_course):
    make_course("checks", lessons=1)
    response = trainer_client.post(
        "/courses/manage/checks/lessons/lesson-1",
        data=lesson_form(**{"checks-0-answer": "5", "checks-1-question": "只有题目？"}),
    )
    assert response.status_code == 200
    assert get_course("checks").lessons[0].version == 1


def test_reorder_retire_restore(app, trainer_client, make_course):
    make_course("order", lessons=3)
    trainer_client.post("/courses/manage/order/lessons/lesson-3/move", data={"direction": "up"})
    assert [ls.slug for ls in get_course("order").lessons] == ["lesson-1", "lesson-3", "lesson-2"]
    trainer_client.post("/courses/manage/order/lessons/lesson-1/move", data={"direction": "down"})
    assert [ls.slug for ls in get_course("order").lessons] == ["lesson-3", "lesson-1", "lesson-2"]
    trainer_client.post("/courses/manage/order/lessons/lesson-1/retire")
    course = get_course("order")
    assert [ls.slug for ls in course.lessons if ls.retired_at is None] == ["lesson-3", "lesson-2"]
    trainer_client.post("/courses/manage/order/lessons/lesson-1/restore")
    course = get_course("order")
    assert [ls.slug for ls in course.lessons if ls.retired_at is None][-1] == "lesson-1"


def test_publish_needs_a_lesson_and_unpublish_hides(app, trainer_client, make_course, login_as):
    make_course("empty", lessons=0, published=False)
    trainer_client.post("/courses/manage/empty/publish")
    assert get_course("empty").published is False
    make_course("ready", lessons=1, published=False)
    trainer_client.post("/courses/manage/ready/publish")
    assert get_course("ready").published is True
    agent, _ = login_as("agent")
    assert agent.get("/courses/ready").status_code == 200
    trainer_client.post("/courses/manage/ready/unpublish")
    assert agent.get("/courses/ready").status_code == 404


def test_preview_returns_sanitised_html_and_problems(app, trainer_client, make_course):
    make_course("preview", lessons=1)
    response = trainer_client.post(
        "/courses/manage/preview",
        json={"markdown": "# 标题\n<script>x()</script>\n\n::: bad\n开着", "course": "preview"},
    )
    data = response.get_json()
    assert response.status_code == 200
    assert "<h1>标题</h1>" in data["html"] and "<script>" not in data["html"]
    assert len(data["problems"]) == 2
    assert trainer_client.post("/courses/manage/preview", json={}).status_code == 400
    for body in ([1], "x", 3):
        response = trainer_client.post("/courses/manage/preview", json=body)
        assert response.status_code == 400 and response.get_json()["error"]
    response = trainer_client.post(
        "/courses/manage/preview", json={"markdown": "x", "course": "nope"}
    )
    assert response.status_code == 404


def test_image_upload_checks_type_and_content(app, trainer_client, make_course):
    from io import BytesIO

    make_course("pics", lessons=1)
    png = png_bytes()

    def upload(name, data):
        return trainer_client.post(
            "/courses/manage/pics/images",
            data={"image": (BytesIO(data), name)},
            content_type="multipart/form-data",
        )

    upload("flow chart.png", png)
    upload("fake.png", b"<svg onload=alert(1)>")
    upload("vector.svg", b"<svg/>")
    names = list(db.session.scalars(db.select(CourseImage.filename)))
    assert names == ["flow-chart.png"]
    response = trainer_client.post(
        "/courses/manage/pics/lessons/lesson-1",
        data=lesson_form(body=BODY + "\n![流程](images/flow-chart.png)\n"),
    )
    assert response.status_code == 302
    trainer_client.post("/courses/manage/pics/images/flow-chart.png/delete")
    assert db.session.scalar(db.select(db.func.count(CourseImage.id))) == 0


def test_authoring_pages_list_courses(app, trainer_client, make_course):
    make_course("listed", title="列出的课程")
    page = trainer_client.get("/courses/manage/").get_data(as_text=True)
    assert "列出的课程" in page
    assert trainer_client.get("/courses/manage/listed").status_code == 200
    assert trainer_client.get("/courses/manage/listed/lessons/new").status_code == 200
    assert trainer_client.get("/courses/manage/nope").status_code == 404


def test_agents_and_managers_cannot_author(app, login_as, make_course):
    make_course("locked")
    for role in ("agent", "manager"):
        client, _ = login_as(role)
        assert client.get("/courses/manage/").status_code == 403
        assert client.post("/courses/manage/new", data=COURSE_FORM).status_code == 403
        assert (
            client.post("/courses/manage/locked/lessons/lesson-1", data=lesson_form()).status_code
            == 403
        )
    assert db.session.scalar(db.select(db.func.max(Lesson.version))) == 1
