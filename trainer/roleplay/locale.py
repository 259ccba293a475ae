"""Messages outside a request (CLI, content check, grading in tests) need a chosen language."""

import contextlib
from collections.abc import Iterator

from flask import has_request_context
from flask_babel import force_locale


@contextlib.contextmanager
def message_locale(locale: str = "en") -> Iterator[None]:
    """Inside a request keep the user's language; elsewhere translate into `locale`.

    Flask-Babel's locale selector reads the request, so `_()` fails without one.
    """
    if has_request_context():
        yield
        return
    with force_locale(locale):
        yield
