"""The offline customer: replies straight from the scenario's script, streamed in small pieces."""

import time
from collections.abc import Iterator

from flask import current_app

from trainer.roleplay.customer.replies import scripted_reply
from trainer.roleplay.engines import ReplyRequest, ReplyStream

CHUNK_CHARS = 3


class ScriptedEngine:
    """Deterministic: the same transcript always gets the same reply."""

    name = "scripted"
    model = None

    def start(self, request: ReplyRequest) -> ReplyStream:
        """Stream the scripted reply a few characters at a time, like a typing customer."""
        text = scripted_reply(request.spec, request.reaction)
        delay = float(current_app.config.get("ROLEPLAY_SCRIPTED_DELAY", 0.0))
        return ReplyStream(_pieces(text, delay))


def _pieces(text: str, delay: float) -> Iterator[str]:
    for start in range(0, len(text), CHUNK_CHARS):
        if delay and start:
            time.sleep(delay)
        yield text[start : start + CHUNK_CHARS]
