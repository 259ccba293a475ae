"""The notification kind of the skills feature: a remedial lesson and re-drill were assigned."""

from trainer.core.i18n import _l
from trainer.notifications.kinds import AGENT_ONLY, KINDS, Kind
from trainer.notifications.models import IN_APP

KIND = "skill_remediation"


def register_kind() -> None:
    """Add the kind to the notification kinds (the settings page lists it for agents)."""
    KINDS.setdefault(
        KIND,
        Kind(
            KIND,
            _l("Remedial practice assigned"),
            _l("Practise %(skill)s: %(lesson)s, then %(scenario)s"),
            _l(
                "Your recent results show %(skill)s needs work. Read %(lesson)s, then practise "
                "%(scenario)s. Due: %(due)s."
            ),
            IN_APP,
            AGENT_ONLY,
        ),
    )
