"""Notifications: the in-app inbox, e-mail (SMTP or outbox), daily digests and reminders."""

from flask import Flask
from flask_login import current_user


def unread_badge() -> dict:
    """Template context: the signed-in user's unread count for the bell in the header."""
    if not current_user or not current_user.is_authenticated:
        return {}
    from trainer.notifications.services import unread_count

    return {"unread_notifications": unread_count(current_user)}


def init_app(app: Flask) -> None:
    """Register the blueprint and the bell's count (read with the session on a GET)."""
    from trainer.accounts.sessions import read_with_session
    from trainer.notifications import services, views

    app.register_blueprint(views.bp)
    app.context_processor(unread_badge)
    read_with_session(app, services.UNREAD, services.unread_column)
