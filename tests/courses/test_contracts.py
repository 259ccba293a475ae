"""What other features rely on (`completed_courses`, `course_titles`, `lesson_exists`,
`lesson_url`) and the demo seeder."""

from datetime import datetime

from trainer.courses import achievements as services
from trainer.courses.demo import seed_courses
from trainer.courses.models import Enrollment
from trainer.courses.progress import complete_lesson
from trainer.extensions import db


def test_completed_courses(app, make_user, make_course):
    done, started, idle = make_user("agent"), make_user("agent"), make_user("agent")
    course = make_course("contract", lessons=2)
    for lesson in course.lessons:
        complete_lesson(done, lesson)
    complete_lesson(started, course.lessons[0])
    db.session.commit()
    result = services.completed_courses([done.id, started.id, idle.id])
    assert set(result) == {done.id, started.id, idle.id}
    assert list(result[done.id]) == ["contract"]
    assert isinstance(result[done.id]["contract"], datetime)
    assert result[done.id]["contract"].tzinfo is not None
    assert result[started.id] == {} and result[idle.id] == {}
    assert services.completed_courses([]) == {}


def test_course_titles_and_lessons(app, make_course):
    make_course("titled", title="有标题")
    make_course("draft", published=False)
    assert services.course_titles(["titled", "nope"]) == {
        "titled": {"zh_CN": "有标题", "en": "有标题"}
    }
    assert services.lesson_exists("titled", "lesson-1")
    assert not services.lesson_exists("titled", "lesson-99")
    assert not services.lesson_exists("draft", "lesson-1")
    assert services.lesson_url("titled", "lesson-1") == "/courses/titled/lesson-1"


def test_lesson_url_outside_a_request(app):
    from flask import Flask

    with Flask("other").app_context():
        assert services.lesson_url("after-sales", "refunds") == "/courses/after-sales/refunds"


def test_demo_seeder_assigns_with_one_overdue_and_is_idempotent(app, synced):
    from trainer.accounts.demo import seed_demo_users

    users = seed_demo_users()
    seed_courses(users)
    db.session.commit()
    seed_courses(users)
    db.session.commit()
    rows = list(
        db.session.scalars(db.select(Enrollment).where(Enrollment.user_id == users["agent"].id))
    )
    assert 2 <= len(rows) <= 4
    from trainer.core.clock import utcnow

    now = utcnow()
    open_rows = [e for e in rows if e.completed_at is None]
    assert any(e.is_overdue(now) for e in open_rows)
    assert any(e.completed_at for e in rows)
    assert any(e.started_at and not e.completed_at for e in rows)


def test_seed_demo_command(app, runner, synced):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(db.func.count(Enrollment.id))) >= 2
