"""Flows every role runs: the home page."""

from bench.harness import Flow, UserSession


def prepare(scale: int) -> None:
    """Nothing beyond the users the harness creates."""


async def open_home(s: UserSession) -> None:
    """Open the role's home page."""
    await s.get("/", label=f"home ({s.user['role']})")


FLOWS = [Flow("home", role=role, run=open_home) for role in ("agent", "manager", "trainer")]
