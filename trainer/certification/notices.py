"""What certification tells people (through notifications): granted, lapsing, lapsed, and the
manager's waiting promotion."""

from datetime import datetime
from typing import Any

from trainer.notifications.hooks import day as _day
from trainer.notifications.services import notify, path_for


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
