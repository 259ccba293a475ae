"""Account jobs: the password reset mail (the job makes the token, so only the mail holds it)."""

import logging

from flask import current_app
from flask_babel import force_locale

from trainer.accounts import recovery
from trainer.accounts.services import get_user_by_email
from trainer.core import mail
from trainer.core.i18n import _
from trainer.core.jobs import job

log = logging.getLogger(__name__)


@job("accounts.password_reset_mail", retries=3, retry_delay=30, lease_seconds=120)
def password_reset_mail(email: str, locale: str) -> None:
    """Mail a reset link to the account with this address; nothing when there is none."""
    user = get_user_by_email(email)
    if user is None or not user.active:
        log.info("password reset asked for an unknown or inactive address")
        return
    raw = recovery.issue_token(user, recovery.SELF)
    minutes = current_app.config["TRAINER_RESET_TOKEN_MINUTES"]
    with force_locale(user.locale or locale):
        body = _(
            "Someone (hopefully you) asked to reset the password of %(email)s.\n\n"
            "Open this link within %(minutes)s minutes to choose a new password:\n%(url)s\n\n"
            "If it was not you, ignore this mail: your password stays as it is.",
            email=user.email,
            minutes=minutes,
            url=mail.absolute(f"/password/reset/{raw}"),
        )
        subject = _("Reset your password")
        mail.send(mail.build_message(user.email, subject, body))
