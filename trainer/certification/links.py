"""Links from a missing requirement to the next step: the course, quiz or role-play to take.

Other features' pages are found by endpoint name when they are installed; without them a
requirement simply has no link.
"""

from flask import current_app
from werkzeug.routing import BuildError

from trainer.certification.engine import (
    COURSE,
    ENDORSEMENT,
    KPI,
    KPI_CONVERSATIONS,
    OKR,
    QUIZ,
    ROLEPLAY_CRITICAL,
    ROLEPLAY_SESSIONS,
    Check,
)

CANDIDATES = {
    COURSE: [("courses.course", "slug")],
    QUIZ: [("quiz_attempts.quiz", "slug"), ("quizzes.quiz", "slug")],
    ROLEPLAY_SESSIONS: [("roleplay.catalogue", None)],
    ROLEPLAY_CRITICAL: [("roleplay.catalogue", None)],
    KPI: [("scorecards.my_scorecard", None)],
    KPI_CONVERSATIONS: [("scorecards.my_scorecard", None)],
    OKR: [("okrs.my_okrs", None)],
    ENDORSEMENT: [],
}


def _build(endpoint: str, values: dict) -> str | None:
    adapter = current_app.url_map.bind("localhost")
    try:
        return adapter.build(endpoint, values)
    except BuildError:
        return None


def next_step_url(check: Check) -> str | None:
    """Where the agent goes to meet this requirement (None when there is no such page)."""
    for endpoint, argument in CANDIDATES.get(check.kind, []):
        url = _build(endpoint, {argument: check.key} if argument else {})
        if url:
            return url
    return None
