"""Logging: security events (logins, refusals) go to the `trainer.security` logger."""

import logging

from flask import Flask


def configure_logging(app: Flask) -> None:
    """Send app and security logs to stderr with timestamps, unless a handler exists already."""
    security = logging.getLogger("trainer.security")
    if not security.handlers and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        security.addHandler(handler)
        security.setLevel(logging.INFO)
