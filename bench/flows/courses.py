"""Courses flows for the load benchmark: agents read lessons, managers open team progress."""

import html
import re

from bench import bulk
from bench.harness import Flow, UserSession

BENCH_COURSES = (  # (slug, due in days: negative is overdue)
    ("service-foundations", 7),
    ("compliance", -2),
    ("platform-orders", 21),
)
RESUME = re.compile(r'data-testid="resume" href="([^"]+)"')
CARD = re.compile(r'class="card course-card(?![^"]*is-locked)[^"]*"[^>]*data-course="([^"]+)"')
START = re.compile(r'data-testid="start-course" href="([^"]+)"')
LESSON_LINK = re.compile(r'<a href="(/courses/[^"/]+/[^"/]+)"')
CHECK = re.compile(r'action="(/courses/[^"]+/checks/\d+)"')
COMPLETE = re.compile(r'action="(/courses/[^"]+/complete)"')


def prepare(scale: int) -> None:
    """Assign three shipped courses to every bench agent (one overdue) with some progress."""
    import random
    from datetime import timedelta

    from trainer.accounts.models import User
    from trainer.core.clock import utcnow
    from trainer.courses.models import Course, Enrollment, Lesson, LessonProgress
    from trainer.extensions import db

    rng = random.Random(2026)
    now = utcnow()
    slugs = [slug for slug, _ in BENCH_COURSES]
    courses = {
        c.slug: c for c in db.session.scalars(db.select(Course).where(Course.slug.in_(slugs)))
    }
    lessons = {
        slug: list(
            db.session.scalars(
                db.select(Lesson)
                .where(Lesson.course_id == course.id, Lesson.retired_at.is_(None))
                .order_by(Lesson.position)
            )
        )
        for slug, course in courses.items()
    }
    trainer_id = db.session.scalar(db.select(User.id).where(User.role == "trainer").limit(1))
    agents = list(db.session.scalars(db.select(User.id).where(User.email.like("bench-agent-%"))))
    enrollments, progress = [], []
    for agent_id in agents:
        for slug, due_days in BENCH_COURSES:
            if slug not in courses:
                continue
            done = rng.randint(0, len(lessons[slug]) - 1)
            enrollments.append(
                {
                    "user_id": agent_id,
                    "course_id": courses[slug].id,
                    "assigned_by_id": trainer_id,
                    "assigned_at": now - timedelta(days=10),
                    "due_at": now + timedelta(days=due_days),
                    "started_at": now - timedelta(days=5) if done else None,
                    "last_read_at": now - timedelta(days=1) if done else None,
                    "last_lesson_id": lessons[slug][done - 1].id if done else None,
                    "created_at": now,
                }
            )
            progress += [
                {
                    "user_id": agent_id,
                    "lesson_id": lesson.id,
                    "completed_at": now - timedelta(days=2),
                    "completed_version": lesson.version,
                    "check_answers": {},
                    "updated_at": now,
                }
                for lesson in lessons[slug][:done]
            ]
    bulk.insert_rows(Enrollment, enrollments)
    bulk.insert_rows(LessonProgress, progress)
    db.session.commit()


async def read_a_lesson(s: UserSession) -> None:
    """Catalogue → course → lesson → answer a check → complete → next lesson."""
    catalogue = await s.get("/courses/", label="courses: catalogue")
    resume = RESUME.search(catalogue)
    if resume:
        lesson_url = html.unescape(resume.group(1))
        course_url = lesson_url.rsplit("/", 1)[0]
        await s.get(course_url, label="courses: course page")
    else:
        slugs = CARD.findall(catalogue)
        if not slugs:
            return
        course_url = f"/courses/{s.rng.choice(slugs)}"
        course_page = await s.get(course_url, label="courses: course page")
        start = START.search(course_page)
        links = [u for u in LESSON_LINK.findall(course_page) if u.startswith(course_url + "/")]
        if start:
            lesson_url = html.unescape(start.group(1))
        elif links:
            lesson_url = s.rng.choice(links)
        else:
            return
    page = await s.get(lesson_url, label="courses: lesson")
    checks = CHECK.findall(page)
    if checks:
        await s.post_json(
            s.rng.choice(checks), {"choice": s.rng.randint(0, 1)}, label="courses: check answer"
        )
    complete = COMPLETE.search(page)
    if complete:
        response = await s.post(complete.group(1), label="courses: complete")
        if response.status_code in (302, 303) and "location" in response.headers:
            await s.get(response.headers["location"], label="courses: next page")


async def open_team_progress(s: UserSession) -> None:
    """A manager checks their team's learning, sometimes only the overdue agents."""
    query = "?status=overdue" if s.rng.random() < 0.3 else ""
    await s.get(f"/courses/team/progress{query}", label="courses: team progress")


FLOWS = [
    Flow("lesson reading", role="agent", run=read_a_lesson),
    Flow("team progress", role="manager", run=open_team_progress),
]
