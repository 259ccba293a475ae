"""Home page panels: the agent's "my learning" and the staff's team completion."""

from typing import Any

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
