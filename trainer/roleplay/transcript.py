"""A conversation as plain data: what the engines, rules, judges and the CLI all read."""

from dataclasses import dataclass
from datetime import datetime

AGENT, CUSTOMER = "agent", "customer"


@dataclass(frozen=True)
class Line:
    """One turn: who spoke, what, and when the server received (or completed) it."""

    seq: int
    speaker: str
    text: str
    at: datetime


def from_turns(turns) -> list[Line]:
    """Lines from stored RoleplayTurn rows (in order)."""
    return [Line(t.seq, t.speaker, t.text, t.created_at) for t in turns]


def agent_lines(lines: list[Line]) -> list[Line]:
    """The agent's turns."""
    return [line for line in lines if line.speaker == AGENT]


def reply_times(lines: list[Line]) -> list[tuple[Line, float]]:
    """(agent turn, seconds since the first customer turn it answers) for each first agent reply.

    A second agent message in a row answers nothing new, so only the first one after each
    customer turn is timed. An agent who speaks before the customer has waited 0 seconds.
    """
    timed: list[tuple[Line, float]] = []
    last_customer: Line | None = None
    waiting = True
    for line in lines:
        if line.speaker == CUSTOMER:
            # A customer writing again before any reply (a follow-up) does not restart the wait.
            if not waiting or last_customer is None:
                last_customer = line
            waiting = True
        elif waiting:
            seconds = 0.0 if last_customer is None else (line.at - last_customer.at).total_seconds()
            timed.append((line, max(0.0, seconds)))
            waiting = False
    return timed


def first_response_seconds(lines: list[Line]) -> float | None:
    """Seconds from the opening to the agent's first reply; None if the agent never replied."""
    times = reply_times(lines)
    return times[0][1] if times else None
