"""Builders for course tests: courses in the database, course folders on disk, shipped content."""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from trainer.config import ROOT
from trainer.core.clock import utcnow
from trainer.courses.loader import sync_courses
from trainer.courses.models import Course, Enrollment
from trainer.courses.versioning import create_lesson
from trainer.extensions import db

SHIPPED = ROOT / "courses"

BODY = (
    "## 要点\n\n"
    + "顾客第一次开口时，先确认问题，再给出三个具体方案，语气要稳，信息要准。" * 12
    + "\n\n::: good\n顾客：到哪了？\n客服：您好，包裹今天下午到您所在的城市，预计明天送达。\n:::\n"
)


@pytest.fixture
def make_course(app):
    """Build a course with `lessons` lessons (each with one knowledge check)."""
    counter = iter(range(1, 10_000))

    def build(
        slug: str | None = None,
        *,
        lessons: int = 3,
        published: bool = True,
        prerequisites: list[str] | None = None,
        title: str | None = None,
        category: str = "foundations",
        level: str = "L1",
        body: str = BODY,
    ) -> Course:
        n = next(counter)
        slug = slug or f"course-{n}"
        course = Course(
            slug=slug,
            title={"zh_CN": title or f"课程 {n}", "en": title or f"Course {n}"},
            summary={"zh_CN": "学完能做什么。", "en": "What you can do afterwards."},
            category=category,
            estimated_minutes=30,
            prerequisites=prerequisites or [],
            level=level,
            published=published,
            source="editor",
        )
        db.session.add(course)
        for i in range(1, lessons + 1):
            create_lesson(
                course,
                slug=f"lesson-{i}",
                position=i,
                title={"zh_CN": f"第 {i} 课", "en": f"Lesson {i}"},
                minutes=5,
                body=body,
                checks=[
                    {
                        "question": "首次响应应在多少秒内？",
                        "options": ["30 秒", "5 分钟", "1 小时"],
                        "answer": 0,
                        "explanation": "行业数据显示顾客只愿等约 30 秒。",
                    }
                ],
                source="editor",
            )
        db.session.commit()
        return course

    return build


@pytest.fixture
def assign(app):
    """Assign a course to a user directly (due in `due_days`; negative: overdue)."""

    def do(user, course, due_days: int | None = 7, by=None) -> Enrollment:
        enrollment = Enrollment(
            user_id=user.id,
            course_id=course.id,
            assigned_at=utcnow(),
            assigned_by_id=by.id if by else None,
            due_at=utcnow() + timedelta(days=due_days) if due_days is not None else None,
        )
        db.session.add(enrollment)
        db.session.commit()
        return enrollment

    return do


@pytest.fixture
def content_root(tmp_path) -> Path:
    """A content root holding a copy of the shipped courses (lesson and course files only)."""
    root = tmp_path / "content"
    for folder in SHIPPED.iterdir():
        if folder.is_dir():
            shutil.copytree(
                folder,
                root / "courses" / folder.name,
                ignore=shutil.ignore_patterns("questions.gift", "quiz.yaml"),
            )
    return root


@pytest.fixture
def synced(app):
    """The shipped courses loaded into the database."""
    sync_courses(ROOT)
    db.session.commit()
    return {c.slug: c for c in db.session.scalars(db.select(Course))}
