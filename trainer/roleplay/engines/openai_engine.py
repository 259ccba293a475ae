"""The LLM customer: the model writes the words; the shared state machine decides the rest.

The instructions come from engines/prompt.py (built from the stored state). The reply streams
as it is written; speaker labels, the stop marker and anything written for the agent are cut,
and a reply that leaves the customer's role (agent voice, lists of solutions) is regenerated
once, else cut to its in-role sentences, else replaced by the scripted line.
"""

import re
from collections.abc import Iterator

from flask import current_app

from trainer.roleplay import budget, llm
from trainer.roleplay.customer.replies import scripted_reply
from trainer.roleplay.engines import MALFORMED, EngineError, ReplyRequest, ReplyStream
from trainer.roleplay.engines.inrole import STOP_MARKER, in_role_part, role_break, strip_marker
from trainer.roleplay.engines.prompt import chat_messages

REGENERATE_NOTE = (
    "Your previous draft spoke as the shop's agent (greeting as staff or listing solutions). "
    "Write again, only as the customer, one to three short sentences, no lists."
)

# Labels a model may put before its line, and markers of it writing the agent's part too.
_LABEL = re.compile(r"^\s*(顾客|客户|买家|customer|assistant)\s*[:：]\s*", re.I)
_OTHER_SPEAKER = re.compile(r"\n\s*(客服|agent|user|system|assistant)\s*[:：]|<\|[a-z_]+\|>", re.I)


def clean_reply(text: str, max_chars: int, name: str = "") -> str:
    """The customer's words only: no speaker label, nothing written for the other side."""
    cut = _OTHER_SPEAKER.search("\n" + text)
    if cut:
        text = ("\n" + text)[: cut.start()]
    text = _LABEL.sub("", strip_marker(text), count=1)
    for label in (f"{name}：", f"{name}:") if name else ():
        text = text.removeprefix(label)
    return text.strip()[:max_chars].strip()


class OpenAIEngine:
    """Customer replies streamed from an OpenAI-compatible chat model."""

    name = "openai"

    @property
    def model(self) -> str:
        """The configured model name."""
        return llm.model_name()

    def cost_bound(self, request: ReplyRequest) -> int:
        """The tokens to reserve for the reply (a regeneration reserves its own)."""
        return budget.estimate_tokens(chat_messages(request), request.max_tokens)

    def start(self, request: ReplyRequest) -> ReplyStream:
        """Start streaming the model's reply; failures surface as EngineError while iterating."""
        usage = llm.Usage()
        max_chars = int(current_app.config.get("ROLEPLAY_MAX_REPLY_CHARS", 400))
        messages = chat_messages(request)
        raw = llm.stream_chat(messages, max_tokens=request.max_tokens, usage=usage)
        stream = _CleanStream(_guarded(raw), max_chars, usage, request.spec["persona"]["name"])
        stream.repair = _Repair(request, messages, max_chars)
        return stream


class _Repair:
    """What to do with a reply that left the customer's role: regenerate once, cut, or script."""

    def __init__(self, request: ReplyRequest, messages: list[dict], max_chars: int) -> None:
        self.request, self.messages, self.max_chars = request, messages, max_chars
        self.tokens = 0

    def __call__(self, text: str) -> str:
        """An in-role reply instead of `text` (which broke the role)."""
        usage = llm.Usage()
        messages = [*self.messages, {"role": "system", "content": REGENERATE_NOTE}]
        max_tokens = self.request.max_tokens
        try:
            estimate = budget.estimate_tokens(messages, max_tokens)
            with budget.spend(self.request.user_id, estimate) as held:
                try:
                    again = "".join(llm.stream_chat(messages, max_tokens=max_tokens, usage=usage))
                finally:
                    held.used = usage.tokens
        except llm.LLMError:  # failed, or the day's budget is spent: cut or script instead
            again = ""
        self.tokens = usage.tokens
        name = self.request.spec["persona"]["name"]
        again = clean_reply(again, self.max_chars, name)
        if again and role_break(again) is None:
            return again
        return (
            in_role_part(text)
            or in_role_part(again)
            or scripted_reply(self.request.spec, self.request.reaction)
        )


def _guarded(pieces: Iterator[str]) -> Iterator[str]:
    try:
        yield from pieces
    except llm.LLMError as error:
        raise EngineError(error.kind, error.detail) from error


def _may_become_label(raw: str, name: str) -> bool:
    """True while the text so far could still turn into a speaker label ("顾客：")."""
    head = raw.lstrip().casefold()
    if not head:
        return True
    labels = ["顾客：", "客户：", "买家：", "customer:", "assistant:", "顾客:", "客户:", "买家:"]
    if name:
        labels += [f"{name}：", f"{name}:"]
    return any(label.casefold().startswith(head) and label.casefold() != head for label in labels)


_OTHER_LABELS = ("客服：", "客服:", "agent:", "user:", "system:", "assistant:", "<|", STOP_MARKER)


def _visible_part(raw: str) -> str:
    """The text that is safe to show: a last line that may be becoming "客服：" is held back,
    and so is an unfinished stop marker."""
    for size in range(len(STOP_MARKER) - 1, 0, -1):
        if raw.endswith(STOP_MARKER[:size]):
            raw = raw[:-size]
            break
    if "\n" not in raw:
        return raw
    head, tail = raw.rsplit("\n", 1)
    tail = tail.lstrip().casefold()
    if any(label.startswith(tail) for label in _OTHER_LABELS):
        return head
    return raw


class _CleanStream(ReplyStream):
    """Streams the reply as soon as it cannot be a speaker label, and stops at the cap."""

    def __init__(self, pieces: Iterator[str], max_chars: int, usage: llm.Usage, name: str) -> None:
        super().__init__(pieces)
        self._max_chars = max_chars
        self._usage = usage
        self._name = name
        self.repair: _Repair | None = None
        self.reply_tokens = 0

    def __iter__(self) -> Iterator[str]:
        raw, sent = "", 0
        try:
            for piece in self._chunks:
                raw += piece
                if _may_become_label(raw, self._name):
                    continue
                clean = clean_reply(_visible_part(raw), self._max_chars, self._name)
                if role_break(clean) is not None:
                    break  # out of role: show no more of it (repaired below)
                if len(clean) > sent and clean.startswith(self.text):
                    delta = clean[sent:]
                    self.text, sent = clean, len(clean)
                    yield delta
                if _OTHER_SPEAKER.search("\n" + raw) or len(raw) > self._max_chars * 2:
                    break
        finally:
            self.close()
        final = clean_reply(raw, self._max_chars, self._name)
        if final and role_break(final) is not None and self.repair is not None:
            final = self.repair(final)
        if final.startswith(self.text) and len(final) > sent:
            yield final[sent:]
        self.text = final
        self.reply_tokens = self._usage.tokens  # the first call's (a regeneration settles its own)
        self.tokens = self.reply_tokens + (self.repair.tokens if self.repair else 0)
        if not final:
            raise EngineError(MALFORMED, "empty reply")
