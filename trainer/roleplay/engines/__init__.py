"""Customer engines behind one interface: `start(request) -> ReplyStream`.

`scripted` answers from the scenario file, offline and deterministic; `openai` asks an
OpenAI-compatible model (through trainer.roleplay.llm) for the words. Both get the same
`Reaction` from the shared state machine, so mood, hidden facts and endings do not depend on
the engine.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app

from trainer.roleplay.conversation import Reaction, State
from trainer.roleplay.transcript import Line

TIMEOUT, RATE_LIMIT, SERVER, CONNECTION, MALFORMED = (
    "timeout",
    "rate_limit",
    "server",
    "connection",
    "malformed",
)


class EngineError(Exception):
    """The customer could not answer; `kind` says why (the agent can retry)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class ReplyRequest:
    """Everything an engine needs to write the customer's next message."""

    spec: dict
    lines: list[Line]  # the whole transcript, ending with the agent's pending turn(s)
    state: State  # after the reaction
    reaction: Reaction
    max_tokens: int
    user_id: int | None = None  # whose AI budget pays for model calls


class ReplyStream:
    """An iterator of text chunks; `text` and `tokens` are complete once it is exhausted."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self._chunks = chunks
        self.text = ""
        self.tokens = 0

    def __iter__(self) -> Iterator[str]:
        for chunk in self._chunks:
            self.text += chunk
            yield chunk

    def close(self) -> None:
        """Stop early (client gone); releases the model connection."""
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


def engine_name() -> str:
    """`openai` when a key is configured (unless ROLEPLAY_ENGINE says otherwise), else scripted."""
    choice = current_app.config.get("ROLEPLAY_ENGINE", "auto")
    if choice == "auto":
        return "openai" if current_app.config.get("OPENAI_API_KEY") else "scripted"
    return choice


def get_engine(name: str):
    """The engine object for a session's engine name."""
    if name == "openai":
        from trainer.roleplay.engines.openai_engine import OpenAIEngine

        return OpenAIEngine()
    from trainer.roleplay.engines.scripted import ScriptedEngine

    return ScriptedEngine()
