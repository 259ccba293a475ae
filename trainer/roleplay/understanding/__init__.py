"""What the agent did in each turn: the acts it performs, with the quoted evidence.

One place decides what the agent did; the scripted customer, the rubric judge and the policy
check all read the same `TurnReading`s. Two readers implement the interface: the offline one
(rules and lexicons, deterministic) and an LLM one (structured output, falling back to the
offline reader on any error).
"""

from dataclasses import dataclass, field
from typing import Protocol

from trainer.roleplay.transcript import Line

# The acts an agent turn can perform. `detail` narrows some of them (see Act).
GREETS = "greets"  # hello / introduces self
EMPATHY = "empathy"  # apologises, acknowledges the feeling or the trouble
VERIFIES = "verifies"  # asks for or confirms the order, the facts, the item's state
ASKS_EVIDENCE = "asks_evidence"  # photos, video, screenshots, tracking proof
INFORMS = "informs"  # states a concrete policy fact or figure (time, amount, rule)
OFFERS_SOLUTION = "offers_solution"  # one concrete option per act (count them)
COMMITS = "commits"  # commits to an action with a time ("今天 18 点前给您回复")
ESCALATES = "escalates"  # hands off to a department / supervisor; detail = department
CLOSES = "closes"  # asks if anything else, thanks, follows up
RUDE = "rude"  # blames, insults, threatens, dismisses the customer
HURDLE = "hurdle"  # refuses or obstructs something the customer is entitled to
BREACH = "breach"  # breaks a platform/scenario compliance rule; detail = policy id
MANIPULATION = "manipulation"  # text aimed at the grader or the simulator; detail = kind

ACT_KINDS = (
    GREETS,
    EMPATHY,
    VERIFIES,
    ASKS_EVIDENCE,
    INFORMS,
    OFFERS_SOLUTION,
    COMMITS,
    ESCALATES,
    CLOSES,
    RUDE,
    HURDLE,
    BREACH,
    MANIPULATION,
)


@dataclass(frozen=True)
class Act:
    """One thing the agent did, with the agent's own words that show it."""

    kind: str
    quote: str
    detail: str = ""


@dataclass(frozen=True)
class TurnReading:
    """The acts of one agent turn (`seq` is the turn's position in the transcript)."""

    seq: int
    acts: tuple[Act, ...] = field(default_factory=tuple)

    def has(self, kind: str) -> bool:
        """Whether the turn performs `kind`."""
        return any(act.kind == kind for act in self.acts)

    def of(self, kind: str) -> list[Act]:
        """The turn's acts of one kind, in order."""
        return [act for act in self.acts if act.kind == kind]


class Reader(Protocol):
    """Turns agent lines into readings; implemented offline and with an LLM."""

    name: str

    def read(self, spec: dict, lines: list[Line]) -> list[TurnReading]:
        """One reading per agent line of `lines`, in order (customer lines give none)."""
        ...


def read_transcript(spec: dict, lines: list[Line], *, reader: Reader | None = None) -> list:
    """The readings of a transcript's agent turns (offline reader unless one is given)."""
    from trainer.roleplay.understanding.offline import OfflineReader

    return (reader or OfflineReader()).read(spec, lines)


def read_turn(spec: dict, text: str, seq: int) -> TurnReading:
    """The offline reading of one agent turn (cheap: called by the customer on every turn)."""
    from trainer.roleplay.understanding.offline import read_text

    return read_text(spec, text, seq)
