"""Home page panels: the agent's "my learning" and the staff's team completion."""

from typing import Any

from flask import url_for

from trainer.core.clock import utcnow
from trainer.core.features import ActionItem
from trainer.core.i18n import _
from trainer.courses.learning import learning_overview
from trainer.courses.stats import team_completion


def agent_panel(user: Any) -> dict:
    """Where to resume, assigned courses with due dates, overall progress."""
    return {"overview": learning_overview(user)}


def team_panel(user: Any) -> dict:
    """Per published course: assigned, completed and overdue over the user's agents."""
    rows = team_completion(user)
    return {
        "rows": rows,
        "assigned": sum(r.assigned for r in rows),
        "completed": sum(r.completed for r in rows),
        "overdue": sum(r.overdue for r in rows),
    }


def agent_actions(user: Any) -> list[ActionItem]:
    """Assigned courses not finished yet: overdue ones first (urgent), then the rest."""
    overview = learning_overview(user)
    now = utcnow()
    open_ = [s for s in overview.assigned if s.completed_at is None]
    overdue = sum(1 for s in open_ if s.overdue(now))
    url = url_for("courses.catalogue")
    return [
        ActionItem(_("Overdue assigned courses"), overdue, url, True),
        ActionItem(
            _("Assigned courses to finish"),
            len(open_) - overdue,
            url,
        ),
    ]


def team_actions(user: Any) -> list[ActionItem]:
    """Overdue course assignments among the user's agents."""
    overdue = sum(r.overdue for r in team_completion(user))
    label = _("Overdue course assignments in your team")
    return [ActionItem(label, overdue, url_for("course_team.progress"), urgent=True)]
