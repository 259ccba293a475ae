"""Home-page panels: an agent's practice at a glance, a trainer's review queue."""

from flask import url_for

from trainer.core.features import ActionItem
from trainer.core.i18n import _
from trainer.core.memo import request_memo
from trainer.roleplay import review, services
from trainer.roleplay.achievements import own_sessions, roleplay_results


def agent_panel(user) -> dict:
    """Open assignments, the last result and how many sessions were graded."""
    open_assignments = _open_assignments(user)
    recent = own_sessions(user.id)[:5]  # the sessions the graded results are read from
    last = next((s for s in recent if s.grade is not None), None)
    active = next((s for s in recent if s.status == "active"), None)
    return {"assignments": open_assignments[:3], "last": last, "active": active}


def trainer_panel(user) -> dict:
    """How many sessions wait for review, and how many of them are flagged."""
    pending, flagged = review.pending_counts()
    return {"pending": pending, "flagged": flagged}


def trainer_actions(user) -> list[ActionItem]:
    """Graded sessions waiting for a trainer's review (urgent when some are flagged)."""
    pending, flagged = review.pending_counts()
    label = _("Role-play sessions to review")
    return [ActionItem(label, pending, url_for("roleplay_review.queue"), urgent=flagged > 0)]


def agent_actions(user) -> list[ActionItem]:
    """Assigned scenarios the agent has not passed yet (the panel's list, counted)."""
    label = _("Assigned role-plays to practise")
    return [ActionItem(label, len(_open_assignments(user)), url_for("roleplay.catalogue"))]


def _open_assignments(user) -> list:
    """Assigned scenarios not passed yet, read once per GET request for the panel and the action.

    Passed scenarios come from the graded results the scorecard and level panels read as well.
    """

    def load() -> list:
        passed = {r.scenario_slug for r in roleplay_results([user.id])[user.id] if r.passed}
        return [a for a in services.assigned_scenarios(user) if a.scenario.slug not in passed]

    return request_memo(("roleplay.open_assignments", user.id), load)
