"""The trainers' daily review reminder (registered with notifications)."""

from datetime import datetime

from trainer.accounts.models import User
from trainer.extensions import db
from trainer.notifications.reminders import local_day as _local_day
from trainer.notifications.services import notify, path_for


def review_backlog(now: datetime) -> int:
    """Trainers (and admins) told once a day how many role-plays wait for review."""
    from trainer.roleplay.review import pending_counts

    waiting, flagged = pending_counts()
    if not waiting:
        return 0
    staff = db.session.scalars(
        db.select(User).where(User.role.in_(("trainer", "admin")), User.active)
    )
    link = path_for("roleplay_review.queue")
    told = 0
    for user in staff:
        once = f"reviews:{user.id}:{_local_day(now)}"
        context = {"count": waiting, "flagged": flagged}
        told += notify(user, "reviews_waiting", link=link, once=once, **context) is not None
    return told
