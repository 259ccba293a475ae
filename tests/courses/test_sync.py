"""`content sync`: idempotent by slug; changed lessons get new versions; retirement; progress."""

from pathlib import Path

from trainer.courses.loader import sync_courses
from trainer.courses.models import Course, Lesson, LessonProgress, LessonVersion
from trainer.courses.progress import complete_lesson, done_counts
from trainer.courses.versioning import save_lesson_version
from trainer.extensions import db


def sync(root: Path) -> dict[str, int]:
    counts = sync_courses(root)
    db.session.commit()
    return counts


def lesson(course_slug: str, lesson_slug: str) -> Lesson:
    return db.session.scalar(
        db.select(Lesson).join(Course).where(Course.slug == course_slug, Lesson.slug == lesson_slug)
    )


def edit_file(root: Path, course: str, name: str, old: str, new: str) -> None:
    path = root / "courses" / course / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_first_sync_loads_every_course_and_lesson(app, content_root):
    counts = sync(content_root)
    assert counts["courses_created"] == 6
    assert counts["lessons_created"] == db.session.scalar(db.select(db.func.count(Lesson.id)))
    course = db.session.scalar(db.select(Course).where(Course.slug == "after-sales"))
    assert course.published and course.source == "files"
    assert course.prerequisites == ["service-foundations"]
    assert [ls.position for ls in course.lessons] == list(range(1, len(course.lessons) + 1))
    assert course.lessons[0].slug == "seven-day-return"


def test_second_sync_changes_nothing(app, content_root):
    sync(content_root)
    versions = db.session.scalar(db.select(db.func.count(LessonVersion.id)))
    counts = sync(content_root)
    assert counts["courses_created"] == counts["courses_updated"] == 0
    assert counts["lessons_created"] == counts["lessons_versioned"] == 0
    assert counts["lessons_unchanged"] == versions
    assert db.session.scalar(db.select(db.func.count(LessonVersion.id))) == versions


def test_changed_lesson_gets_a_new_version_and_unchanged_progress_is_kept(
    app, content_root, make_user
):
    sync(content_root)
    agent = make_user("agent")
    for slug in ("trust-agent", "first-response"):
        complete_lesson(agent, lesson("service-foundations", slug))
    db.session.commit()
    edit_file(
        content_root,
        "service-foundations",
        "02-first-response.md",
        "为什么是 30 秒",
        "为什么是三十秒",
    )
    counts = sync(content_root)
    assert counts["lessons_versioned"] == 1
    changed, unchanged = (
        lesson("service-foundations", "first-response"),
        lesson("service-foundations", "trust-agent"),
    )
    assert changed.version == 2 and unchanged.version == 1
    assert [v.version for v in changed.versions] == [1, 2]
    assert "三十" in changed.body and "三十" not in changed.versions[0].body
    course_id = changed.course_id
    # The unchanged lesson still counts as read; the changed one asks to be read again.
    assert done_counts([agent.id], [course_id]) == {(agent.id, course_id): 1}
    progress = db.session.scalar(
        db.select(LessonProgress).where(LessonProgress.lesson_id == changed.id)
    )
    assert progress.completed_version == 1


def test_removed_lesson_is_retired_not_deleted(app, content_root, make_user):
    sync(content_root)
    agent = make_user("agent")
    complete_lesson(agent, lesson("complaints", "escalation"))
    db.session.commit()
    (content_root / "courses" / "complaints" / "04-escalation.md").unlink()
    counts = sync(content_root)
    assert counts["lessons_retired"] == 1
    retired = lesson("complaints", "escalation")
    assert retired.retired_at is not None
    assert retired.versions and db.session.scalar(
        db.select(LessonProgress).where(LessonProgress.lesson_id == retired.id)
    )
    positions = [ls.position for ls in retired.course.lessons if ls.retired_at is None]
    assert positions == [1, 2, 3, 4]
    # The file comes back: the lesson is current again, with its history.
    (content_root / "courses" / "complaints" / "04-escalation.md").write_text(_lesson_file(retired))
    sync(content_root)
    db.session.refresh(retired)
    assert retired.retired_at is None and retired.version == 1


def _lesson_file(lesson: Lesson) -> str:
    from trainer.courses.transfer import lesson_markdown

    return lesson_markdown(lesson)


def test_renumbered_file_keeps_the_lesson_and_applies_the_order(app, content_root):
    sync(content_root)
    folder = content_root / "courses" / "live-peak"
    (folder / "01-live-room-etiquette.md").rename(folder / "09-live-room-etiquette.md")
    counts = sync(content_root)
    assert counts["lessons_created"] == counts["lessons_versioned"] == 0
    course = db.session.scalar(db.select(Course).where(Course.slug == "live-peak"))
    assert [ls.slug for ls in course.lessons][-1] == "live-room-etiquette"
    assert lesson("live-peak", "live-room-etiquette").version == 1


def test_browser_edit_survives_sync_until_the_file_changes(app, content_root):
    sync(content_root)
    target = lesson("after-sales", "refunds")
    save_lesson_version(
        target,
        title=target.title,
        minutes=target.minutes,
        body=target.body + "\n浏览器里补充的一段。\n",
        checks=target.checks,
        source="editor",
    )
    db.session.commit()
    sync(content_root)
    assert lesson("after-sales", "refunds").version == 2
    assert "浏览器里补充的一段" in lesson("after-sales", "refunds").body
    edit_file(content_root, "after-sales", "04-refunds.md", "退款", "退回款项")
    sync(content_root)
    refreshed = lesson("after-sales", "refunds")
    assert refreshed.version == 3 and "浏览器里补充的一段" not in refreshed.body


def test_course_metadata_change_and_removed_course(app, content_root):
    sync(content_root)
    edit_file(
        content_root, "compliance", "course.yaml", "estimated_minutes: 51", "estimated_minutes: 55"
    )
    import shutil

    shutil.rmtree(content_root / "courses" / "live-peak")
    counts = sync(content_root)
    assert counts["courses_updated"] == 1 and counts["courses_retired"] == 1
    compliance = db.session.scalar(db.select(Course).where(Course.slug == "compliance"))
    live = db.session.scalar(db.select(Course).where(Course.slug == "live-peak"))
    assert compliance.estimated_minutes == 55
    assert live.retired_at is not None and live.lessons


def test_cli_sync_refuses_broken_content_and_changes_nothing(app, runner, content_root):
    path = content_root / "courses" / "compliance" / "01-anti-fraud.md"
    path.write_text(path.read_text().replace("answer: ", "answer: 9", 1))
    result = runner.invoke(args=["content", "sync", "--root", str(content_root)])
    assert result.exit_code != 0
    assert "courses/compliance/01-anti-fraud.md:" in result.output
    assert db.session.scalar(db.select(db.func.count(Course.id))) == 0


def test_cli_sync_twice(app, runner, content_root):
    first = runner.invoke(args=["content", "sync", "--root", str(content_root)])
    second = runner.invoke(args=["content", "sync", "--root", str(content_root)])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "courses_created=6" in first.output
    assert "courses_created=0" in second.output and "lessons_versioned=0" in second.output
