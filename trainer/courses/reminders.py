"""Course due-date reminders (registered with notifications): due in 3 local days, overdue."""

from datetime import datetime, timedelta

from trainer.accounts.models import User
from trainer.core.jobs import org_local_time
from trainer.courses.models import Course, Enrollment
from trainer.extensions import db
from trainer.notifications.reminders import local_day as _local_day
from trainer.notifications.services import notify, path_for

DUE_SOON_DAYS = 3


def course_reminders(now: datetime) -> int:
    """Agents whose assigned course is due in 3 (local) days, or overdue: one reminder each."""
    soon_day = (org_local_time(now) + timedelta(days=DUE_SOON_DAYS)).date()
    rows = db.session.execute(
        db.select(Enrollment, Course, User)
        .join(Course, Course.id == Enrollment.course_id)
        .join(User, User.id == Enrollment.user_id)
        .where(
            Enrollment.assigned_at.is_not(None),
            Enrollment.due_at.is_not(None),
            Enrollment.completed_at.is_(None),
            User.active,
        )
    ).all()
    told = 0
    for enrollment, course, user in rows:
        context = {"course": course.title, "due": _local_day(enrollment.due_at)}
        link = path_for("courses.course", slug=course.slug)
        due_tag = enrollment.due_at.date().isoformat()
        if enrollment.due_at <= now:
            once = f"overdue:{enrollment.id}:{due_tag}"
            told += notify(user, "course_overdue", link=link, once=once, **context) is not None
        elif org_local_time(enrollment.due_at).date() == soon_day:
            once = f"due3:{enrollment.id}:{due_tag}"
            told += notify(user, "course_due_soon", link=link, once=once, **context) is not None
    return told
