"""Lesson versions: every change to what a reader sees is saved as a new, numbered version."""

from typing import Any

from trainer.core.clock import utcnow
from trainer.courses.fileformat import content_hash
from trainer.courses.models import Course, Lesson, LessonVersion
from trainer.extensions import db


def normalise_body(body: str) -> str:
    """Lesson Markdown as stored: LF line ends, no blank lines around, one final newline."""
    return body.replace("\r\n", "\n").strip() + "\n"


def create_lesson(
    course: Course,
    *,
    slug: str,
    position: int,
    title: dict[str, str],
    minutes: int,
    body: str,
    checks: list[dict[str, Any]],
    source: str,
    actor: Any = None,
    synced_hash: str | None = None,
) -> Lesson:
    """Add a lesson at version 1 (with its first history entry)."""
    body = normalise_body(body)
    lesson = Lesson(
        course=course,
        slug=slug,
        position=position,
        title=title,
        minutes=minutes,
        body=body,
        checks=checks,
        version=1,
        content_hash=content_hash(title, minutes, body, checks),
        synced_hash=synced_hash,
    )
    db.session.add(lesson)
    lesson.versions.append(_snapshot(lesson, source, actor))
    db.session.flush()
    return lesson


def save_lesson_version(
    lesson: Lesson,
    *,
    title: dict[str, str],
    minutes: int,
    body: str,
    checks: list[dict[str, Any]],
    source: str,
    actor: Any = None,
) -> bool:
    """Store new content as the next version; False (and nothing saved) when nothing changed."""
    body = normalise_body(body)
    new_hash = content_hash(title, minutes, body, checks)
    if new_hash == lesson.content_hash:
        return False
    lesson.title, lesson.minutes, lesson.body, lesson.checks = title, minutes, body, checks
    lesson.content_hash = new_hash
    lesson.version += 1
    lesson.updated_at = utcnow()
    lesson.versions.append(_snapshot(lesson, source, actor))
    db.session.flush()
    return True


def _snapshot(lesson: Lesson, source: str, actor: Any) -> LessonVersion:
    return LessonVersion(
        version=lesson.version,
        title=dict(lesson.title),
        minutes=lesson.minutes,
        body=lesson.body,
        checks=list(lesson.checks),
        content_hash=lesson.content_hash,
        source=source,
        created_by_id=getattr(actor, "id", None),
    )
