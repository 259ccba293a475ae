"""A lesson completes only once its end was reached (course option `require_reading`)."""

import io
import zipfile

from tests.courses.test_authoring import COURSE_FORM
from tests.courses.test_content_check import messages, write_course
from trainer.courses.loader import load_packages
from trainer.courses.models import Course, LessonProgress
from trainer.courses.transfer import export_course
from trainer.courses.versioning import save_lesson_version
from trainer.extensions import db


def progress_rows() -> list[LessonProgress]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(LessonProgress)))


def test_complete_before_reaching_the_end_is_refused_with_a_message(app, login_as, make_course):
    client, _agent = login_as("agent")
    make_course("reading", lessons=2)
    response = client.post("/courses/reading/lesson-1/complete", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "请先把本课读到最后，然后才能标记为完成。" in page  # the agent reads Chinese
    assert all(p.completed_at is None for p in progress_rows())
    assert 'data-reached="0"' in page and 'data-testid="reach-hint"' in page
    assert client.post("/courses/reading/lesson-1/reached").status_code == 200
    assert [p.reached_version for p in progress_rows()] == [1]
    assert 'data-reached="1"' in client.get("/courses/reading/lesson-1").get_data(as_text=True)
    response = client.post("/courses/reading/lesson-1/complete")
    assert response.headers["Location"].endswith("/courses/reading/lesson-2")
    assert progress_rows()[0].completed_version == 1


def test_a_new_version_must_be_reached_again(app, login_as, make_course):
    client, _agent = login_as("agent")
    course = make_course("versions", lessons=1)
    client.post("/courses/versions/lesson-1/reached")
    lesson = course.lessons[0]
    save_lesson_version(
        lesson,
        title=dict(lesson.title),
        minutes=lesson.minutes,
        body=lesson.body + "\n\n新增一段说明。",
        checks=list(lesson.checks),
        source="editor",
    )
    db.session.commit()
    client.post("/courses/versions/lesson-1/complete")
    assert progress_rows()[0].completed_at is None
    client.post("/courses/versions/lesson-1/reached")
    client.post("/courses/versions/lesson-1/complete")
    assert progress_rows()[0].completed_version == lesson.version == 2


def test_a_course_without_require_reading_completes_at_once(app, login_as, make_course):
    client, _agent = login_as("agent")
    course = make_course("reference", lessons=1)
    course.require_reading = False
    db.session.commit()
    page = client.get("/courses/reference/lesson-1").get_data(as_text=True)
    assert 'data-reached="1"' in page and "reach-hint" not in page
    client.post("/courses/reference/lesson-1/complete")
    assert progress_rows()[0].completed_at is not None


def test_reached_on_a_locked_course_is_refused(app, login_as, make_course):
    client, _agent = login_as("agent")
    make_course("basics")
    make_course("advanced", prerequisites=["basics"])
    response = client.post("/courses/advanced/lesson-1/reached")
    assert response.status_code == 403 and response.get_json()["error"]
    assert progress_rows() == []


def test_course_yaml_option_is_checked_synced_and_exported(app, tmp_path):
    folder = write_course(tmp_path, "optional-reading")
    yaml_file = folder / "course.yaml"
    yaml_file.write_text(yaml_file.read_text() + "require_reading: maybe\n")
    assert any(
        "optional-reading/course.yaml:12: require_reading must be true or false" in m
        for m in messages(tmp_path)
    )
    yaml_file.write_text(yaml_file.read_text().replace("maybe", "false"))
    packages, problems = load_packages(tmp_path)
    assert problems == [] and packages[0].require_reading is False
    from trainer.courses.apply import sync_packages

    sync_packages(packages)
    course = db.session.scalar(db.select(Course).where(Course.slug == "optional-reading"))
    assert course.require_reading is False
    exported = zipfile.ZipFile(io.BytesIO(export_course(course)))
    name = next(n for n in exported.namelist() if n.endswith("course.yaml"))
    assert "require_reading: false" in exported.read(name).decode()


def test_the_course_form_sets_the_option(app, trainer_client):
    box = '<input checked id="require_reading" name="require_reading" type="checkbox"'
    assert box in trainer_client.get("/courses/manage/new").get_data(as_text=True)  # default on
    assert trainer_client.post("/courses/manage/new", data=COURSE_FORM).status_code == 302
    course = db.session.scalar(db.select(Course).where(Course.slug == "new-course"))
    assert course.require_reading is False  # an unticked box
    data = {**COURSE_FORM, "require_reading": "y"}
    assert trainer_client.post("/courses/manage/new-course", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Course, course.id).require_reading is True
    assert box in trainer_client.get("/courses/manage/new-course").get_data(as_text=True)
