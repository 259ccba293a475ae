"""The agent's home panel and the next steps after a result: read from the snapshot (one query:
the snapshot row with the map version in force), computed on read."""

from typing import Any

from trainer.skills import snapshots, store
from trainer.skills.nextsteps import NextStep, next_steps, reason_text

SHOWN = 3


def steps_for(user_id: int) -> list[NextStep] | None:
    """The agent's next steps from their snapshot (None when nothing is known yet)."""
    found = snapshots.read_with_map(user_id)
    if found is None:
        return None
    evidence, names, (map_id, digest) = found
    return next_steps(store.map_at(map_id, digest), evidence, names)


def agent_panel(user: Any) -> dict:
    """Home panel context: the first next steps and how many there are."""
    steps = steps_for(user.id)
    return {
        "steps": (steps or [])[:SHOWN],
        "more": max(len(steps or []) - SHOWN, 0),
        "known": steps is not None,
    }


def step_reason(step: NextStep) -> str:
    """A next step's reason in the reader's language (template global)."""
    return reason_text(step.reason, step.level)
