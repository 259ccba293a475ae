"""Sending mail: SMTP when TRAINER_SMTP_URL is set, else an .eml file in instance/outbox/."""

import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app

from trainer.core.clock import utcnow

SMTP_TIMEOUT = 30


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message from the configured sender."""
    message = EmailMessage()
    message["From"] = current_app.config["TRAINER_MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="trainer")
    message.set_content(body)
    return message


def absolute(path: str | None) -> str:
    """A site path made into a full link with TRAINER_BASE_URL."""
    if not path:
        return current_app.config["TRAINER_BASE_URL"]
    return current_app.config["TRAINER_BASE_URL"].rstrip("/") + path


def send(message: EmailMessage) -> None:
    """Deliver through SMTP, or write the .eml to the outbox when no server is configured."""
    url = current_app.config.get("TRAINER_SMTP_URL")
    if not url:
        _write_outbox(message)
        return
    parts = urlsplit(url)
    options = parse_qs(parts.query)
    host, port = parts.hostname or "127.0.0.1", parts.port
    if parts.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(
            host, port or 465, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port or 25, timeout=SMTP_TIMEOUT)
    with smtp:
        if options.get("starttls", ["0"])[0] in ("1", "true", "yes"):
            smtp.starttls(context=ssl.create_default_context())
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)


def _write_outbox(message: EmailMessage) -> Path:
    outbox = Path(current_app.config["TRAINER_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{utcnow():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(bytes(message))
    return path
