"""What the home page lists first for an agent: quizzes still to pass."""

from flask import url_for

from trainer.core.features import ActionItem
from trainer.core.i18n import _
from trainer.quizzes.services import standings


def agent_actions(user) -> list[ActionItem]:
    """Required quizzes the agent has not passed (or whose pass lapsed)."""
    due = sum(1 for row in standings(user) if row.due)
    # Not the level requirement "Quizzes to pass" (需通过): this is what still waits (待通过).
    label = _("Required quizzes not passed yet")
    return [ActionItem(label, due, url_for("quiz_attempts.index"))]
