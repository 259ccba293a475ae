"""Text matching shared by the scripted customer, the mood model and the rubric rules."""

import functools
import re
import unicodedata

_SPACE = re.compile(r"[\s\u200b-\u200f\u2060\ufeff]+")
_CLAUSE = re.compile(r"[，。！？；,.!?;\n…~～]+")


@functools.lru_cache(maxsize=16384)  # pure; the same lexicon words are normalised every turn
def normalise(text: str) -> str:
    """NFKC, lower case, no whitespace: "9 折" matches "9折", "ＶＸ" matches "vx"."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or "").casefold())


def contains_any(text: str, words: list[str]) -> list[str]:
    """The words (as written) that occur in `text`, compared normalised."""
    haystack = normalise(text)
    return [word for word in words if normalise(word) and normalise(word) in haystack]


def matches(condition: dict, text: str, reply_seconds: float | None = None) -> bool:
    """Whether an agent turn meets a scenario condition (`any`, `all`, `slow_reply_seconds`).

    Every key given must hold.
    """
    if not condition:
        return False
    if "any" in condition and not contains_any(text, condition["any"]):
        return False
    if "all" in condition and len(contains_any(text, condition["all"])) < len(condition["all"]):
        return False
    if "slow_reply_seconds" in condition:
        return reply_seconds is not None and reply_seconds > condition["slow_reply_seconds"]
    return True


def clauses(text: str) -> list[str]:
    """Normalised clauses: the text split at punctuation."""
    return [normalise(part) for part in _CLAUSE.split(text or "") if normalise(part)]


def sentence_with(text: str, word: str) -> str:
    """The sentence of `text` that contains `word` (for an evidence quote), else the text."""
    target = normalise(word)
    for sentence in re.split(r"(?<=[。！？!?\n])", text):
        if target and target in normalise(sentence):
            return sentence.strip()
    return text.strip()
