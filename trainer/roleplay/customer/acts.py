"""What the agent did in a turn, as the customer sees it: the one adapter to understanding.

`read_agent_turn` is the only place the customer asks what the agent did: the shared offline
reader (trainer.roleplay.understanding), the same one the judge and the policy check use.
The helpers after it (`sentences`, `is_question`, `is_request`, `hedged`) read the agent's words
for the customer's own goal (did the answer come with a time, was it hedged).
"""

import re

from trainer.roleplay.text import normalise
from trainer.roleplay.understanding import TurnReading, read_turn

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_QUESTION = re.compile(
    r"[？?]|吗|是否|有没有|是不是|能否|可否|多少|哪[个里天些]|什么时候|几[号点天]"
)
_REQUEST = re.compile(
    r"^(请|麻烦|方便|辛苦|劳烦)|(请|麻烦|方便)(您|你)|(发|拍|提供|上传|告诉|说)(一下|下|个|张|给我)"
    r"|确认(一下|下)|核实(一下|下)"
)
_HEDGE = re.compile(
    r"可能|也许|大概|应该|或许|尽量|尽快|看情况|不一定|不确定|再说|等通知|等消息|回头|稍后|很快"
    r"|过几天|过段时间|一段时间|研究一下|反馈一下|帮您问问|我问问|原则上|争取"
)


def read_agent_turn(spec: dict, text: str, seq: int) -> TurnReading:
    """The acts of one agent turn (the single decision point for the customer)."""
    return read_turn(spec, text, seq)


def sentences(text: str) -> list[str]:
    """The text's sentences, stripped (a sentence ends at 。！？ or a line break)."""
    return [part.strip() for part in _SENTENCE.findall(text or "") if part.strip()]


def is_question(quote: str) -> bool:
    """Whether a sentence asks the customer something (it answers nothing itself)."""
    return bool(_QUESTION.search(quote))


def is_request(quote: str) -> bool:
    """Whether a sentence asks the customer something or asks them to do something."""
    return is_question(quote) or bool(_REQUEST.search(normalise(quote)))


def hedged(quote: str) -> bool:
    """Whether a sentence hedges ("尽快", "可能", "看情况"): no firm answer."""
    return bool(_HEDGE.search(normalise(quote)))
