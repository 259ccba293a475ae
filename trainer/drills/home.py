"""The agent home panel: the running drill or the last score (one query, shared with the level
panel's finished drills)."""

from trainer.drills.history import runs_of


def agent_panel(user) -> dict:
    """The agent's newest run (running or finished)."""
    runs = runs_of(user.id)
    return {"latest": runs[0] if runs else None}
