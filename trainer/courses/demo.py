"""Demo data for `flask seed-demo`: the demo agent's assigned courses and some progress."""

from datetime import timedelta

from trainer.accounts.models import User
from trainer.core.clock import utcnow
from trainer.courses.models import Course, Enrollment
from trainer.courses.progress import complete_lesson
from trainer.extensions import db

# (course slug, due in days (negative: overdue), lessons already completed; None: all)
DEMO_ASSIGNMENTS = (
    ("service-foundations", -10, None),
    ("platform-orders", 10, 2),
    ("compliance", -2, 1),
    ("after-sales", 21, 0),
)


def seed_courses(users: dict[str, User]) -> None:
    """Assign courses to the demo agent (one overdue) with some progress; idempotent.

    Needs `flask content sync` first; without the shipped courses it adds nothing.
    """
    agent, trainer = users.get("agent"), users.get("trainer")
    if agent is None:
        return
    slugs = [slug for slug, _, _ in DEMO_ASSIGNMENTS]
    courses = {
        c.slug: c
        for c in db.session.scalars(
            db.select(Course).where(Course.slug.in_(slugs), Course.published)
        )
    }
    now = utcnow()
    for slug, due_days, done in DEMO_ASSIGNMENTS:
        course = courses.get(slug)
        if course is None or _enrolled(agent, course):
            continue
        db.session.add(
            Enrollment(
                user_id=agent.id,
                course_id=course.id,
                assigned_at=now - timedelta(days=14),
                assigned_by_id=trainer.id if trainer else None,
                due_at=now + timedelta(days=due_days),
            )
        )
        db.session.flush()
        lessons = [ls for ls in course.lessons if ls.retired_at is None]
        for lesson in lessons[: len(lessons) if done is None else done]:
            complete_lesson(agent, lesson)
    db.session.flush()


def _enrolled(user: User, course: Course) -> bool:
    return (
        db.session.scalar(
            db.select(Enrollment.id).where(
                Enrollment.user_id == user.id, Enrollment.course_id == course.id
            )
        )
        is not None
    )
