"""Notification jobs: one mail per notification, the daily digest and the daily reminders."""

from collections import defaultdict

from flask import current_app
from flask_babel import force_locale

from trainer.accounts.models import User
from trainer.core import mail
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.core.jobs import daily, job
from trainer.extensions import db
from trainer.notifications.kinds import render
from trainer.notifications.models import DIGEST, Notification


def user_locale(user: User) -> str:
    """The language the user reads: their setting, else the site default."""
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def _footer() -> str:
    settings = mail.absolute("/notifications/settings")
    return "\n\n-- \n" + _("Choose what you receive by e-mail: %(url)s", url=settings)


@job("notifications.email", retries=5, retry_delay=30, backoff=2.0, lease_seconds=120)
def email_notification(notification_id: int) -> None:
    """Mail one notification to its user in their language (skipped once sent)."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.emailed_at is not None or not row.user.active:
        return
    with force_locale(user_locale(row.user)):
        title, body = render(row.kind, row.context)
        text = f"{body}\n\n{mail.absolute(row.link)}{_footer()}"
        mail.send(mail.build_message(row.user.email, title, text))
    row.emailed_at = utcnow()


@job("notifications.digest", retries=3, retry_delay=120, lease_seconds=1800)
def send_digests() -> None:
    """Mail each user one summary of the notifications they chose to get as a daily digest."""
    pending = db.session.scalars(
        db.select(Notification)
        .where(Notification.delivery == DIGEST, Notification.emailed_at.is_(None))
        .order_by(Notification.user_id, Notification.created_at)
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for row in pending:
        by_user[row.user_id].append(row)
    now = utcnow()
    for rows in by_user.values():
        user = rows[0].user
        if user.active:
            with force_locale(user_locale(user)):
                lines = []
                for row in rows:
                    title, body = render(row.kind, row.context)
                    lines.append(f"• {title}\n  {body}\n  {mail.absolute(row.link)}")
                subject = _("Your daily summary: %(count)s update(s)", count=len(rows))
                text = "\n\n".join(lines) + _footer()
                mail.send(mail.build_message(user.email, subject, text))
        for row in rows:
            row.emailed_at = now
        db.session.commit()  # per user: a failure later does not mail these again


@job("notifications.reminders", retries=3, retry_delay=120, lease_seconds=1800)
def send_reminders() -> None:
    """Due dates, quiz expiry and review backlog: notify (each reminder said once)."""
    from trainer.notifications import reminders

    reminders.run_all(utcnow())


daily("notifications.reminders", "TRAINER_REMINDERS_AT")
daily("notifications.digest", "TRAINER_DIGEST_AT")
