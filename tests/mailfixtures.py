"""Mail fixtures: a real SMTP server on 127.0.0.1 (aiosmtpd) and an outbox folder per test."""

import email
import email.policy
import socket
import time

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """Collects every message the SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def wait(self, count: int = 1, timeout: float = 10.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app):
    """A live SMTP server; the app sends through it (TRAINER_SMTP_URL)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config["TRAINER_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def outbox(app, tmp_path):
    """No SMTP server: mails land as .eml files in this folder."""
    folder = tmp_path / "outbox"
    app.config["TRAINER_OUTBOX"] = folder
    app.config["TRAINER_SMTP_URL"] = None
    return folder


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def read_eml(path) -> str:
    """The decoded plain-text body of an .eml file from the outbox."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return body_of(message)
