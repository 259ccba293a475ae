"""The platform compliance policy: one set of rules every role-play grade applies.

Shipped as scenarios/_policy.yaml, stored in versions, edited by admins and trainers; a
scenario may add rules but never drops these. Detection folds the ways people write around
filters (trainer.roleplay.textfold) and decides per clause whether the agent acts.
"""

from trainer.roleplay.policy.detect import (
    Breach,
    breaches_in,
    find_breaches,
    scenario_rules,
    transcript_breaches,
)
from trainer.roleplay.policy.spec import PLATFORM_IDS, Policy, PolicyError, Rule
from trainer.roleplay.policy.store import active_policy, shipped_policy

__all__ = [
    "PLATFORM_IDS",
    "Breach",
    "Policy",
    "PolicyError",
    "Rule",
    "active_policy",
    "breaches_in",
    "find_breaches",
    "scenario_rules",
    "shipped_policy",
    "transcript_breaches",
]
