"""Fixtures: mail (SMTP server, outbox) and course builders."""

from tests.courses.conftest import make_course  # noqa: F401 - fixture reused here
from tests.mailfixtures import outbox, smtp  # noqa: F401
