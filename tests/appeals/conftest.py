"""Builders reused from the role-play and quiz tests."""

from tests.mailfixtures import outbox, smtp  # noqa: F401
from tests.quizzes.conftest import make_question, make_quiz  # noqa: F401
from tests.roleplay.conftest import clock, make_scenario  # noqa: F401
