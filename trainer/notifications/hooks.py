"""One call per event, made by the services where the event happens (`hooks.level_granted(…)`).

Each builds the texts' context and the link to the page that needs action, then `notify()`s.
"""

from datetime import datetime
from typing import Any

from trainer.core.jobs import org_local_time
from trainer.notifications.services import notify, path_for


def _day(moment: datetime | None) -> str:
    return org_local_time(moment).date().isoformat() if moment else "—"


def course_assigned(enrollment: Any, course: Any, actor: Any) -> None:
    """An agent was given a course."""
    notify(
        enrollment.user,
        "course_assigned",
        link=path_for("courses.course", slug=course.slug),
        course=course.title,
        by=getattr(actor, "name", ""),
        due=_day(enrollment.due_at),
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


def _level_name(code: str) -> Any:
    from trainer.certification.ladder import current_ladder

    level = current_ladder().level(code)
    return level.name if level else code


def level_granted(cert: Any) -> None:
    """An agent's level was granted (by a manager or automatically)."""
    notify(
        cert.user,
        "level_granted",
        link=path_for("certification.my_level"),
        level=_level_name(cert.level),
    )


def level_lapsing(cert: Any, lapse_due: datetime) -> None:
    """A held level got its notice: it lapses on `lapse_due` unless fixed."""
    notify(
        cert.user,
        "level_lapsing",
        link=path_for("certification.my_level"),
        once=f"lapsing:{cert.id}:{lapse_due.date().isoformat()}",
        level=_level_name(cert.level),
        date=_day(lapse_due),
    )


def level_lapsed(cert: Any) -> None:
    """A held level lapsed."""
    notify(
        cert.user,
        "level_lapsed",
        link=path_for("certification.my_level"),
        once=f"lapsed:{cert.id}",
        level=_level_name(cert.level),
    )


def promotion_proposed(cert: Any) -> None:
    """A promotion waits for the agent's manager (not when levels are granted automatically)."""
    from trainer.certification.ladder import current_ladder

    team = cert.user.team
    manager = team.manager if team else None
    if current_ladder().auto_grant or manager is None or not manager.active:
        return
    notify(
        manager,
        "promotion_waiting",
        link=path_for("certification.review"),
        once=f"proposed:{cert.id}",
        agent=cert.user.name,
        level=_level_name(cert.level),
    )
