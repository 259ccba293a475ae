"""Certification operations other code calls: one import for views, commands and seeders.

Every grant, rejection, notice, lapse and override is written to the audit log with who
(None for the scheduled sweep) and why. Services flush; the view or command commits once.
"""

from trainer.certification.decisions import (
    approve,
    can_decide,
    grant_override,
    propose,
    reject,
    revoke,
)
from trainer.certification.endorsements import endorse, withdraw_endorsement
from trainer.certification.errors import CertificationError
from trainer.certification.reading import (
    evaluate_user,
    evaluate_users,
    history,
    incentive_levels,
    levels_held_on,
    open_certifications,
)
from trainer.certification.sweep import SweepSummary, sweep

__all__ = [
    "CertificationError",
    "SweepSummary",
    "approve",
    "can_decide",
    "endorse",
    "evaluate_user",
    "evaluate_users",
    "grant_override",
    "history",
    "incentive_levels",
    "levels_held_on",
    "open_certifications",
    "propose",
    "reject",
    "revoke",
    "sweep",
    "withdraw_endorsement",
]
