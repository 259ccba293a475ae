"""One call per event, made by the services where the event happens (`hooks.level_granted(…)`).

Each builds the texts' context and the link to the page that needs action, then `notify()`s.
"""

from datetime import datetime
from typing import Any

from trainer.core.jobs import org_local_time
from trainer.notifications.services import notify, path_for


def day(moment: datetime | None) -> str:
    return org_local_time(moment).date().isoformat() if moment else "—"


def course_assigned(enrollment: Any, course: Any, actor: Any) -> None:
    """An agent was given a course."""
    notify(
        enrollment.user,
        "course_assigned",
        link=path_for("courses.course", slug=course.slug),
        course=course.title,
        by=getattr(actor, "name", ""),
        due=day(enrollment.due_at),
    )


def grade_ready(grade: Any) -> None:
    """A role-play session was graded (not for trial runs)."""
    session = grade.session
    if getattr(session, "trial", False):
        return
    notify(
        session.user,
        "roleplay_graded",
        link=path_for("roleplay.result", session_id=session.id),
        once=f"graded:{grade.id}",
        scenario=session.scenario.title,
        total=round(grade.total, 1),
    )


def grade_reviewed(grade: Any, before_total: float) -> None:
    """A trainer reviewed a grade; the agent hears about it when the score changed."""
    session = grade.session
    if getattr(session, "trial", False) or round(before_total, 1) == round(grade.total, 1):
        return
    notify(
        session.user,
        "grade_overridden",
        link=path_for("roleplay.result", session_id=session.id),
        scenario=session.scenario.title,
        total=round(grade.total, 1),
        before=round(before_total, 1),
    )
