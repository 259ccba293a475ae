"""Clauses of an agent turn and the scenario's vocabulary, for the offline reader.

A clause is the unit acts are decided on: its words as written (for quotes), normalised (for
matching), whether it asks, and whether it is stuffing — bare listed words with no predicate.
"""

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from trainer.core.yamlsafe import compose
from trainer.roleplay.text import normalise

ACTS_FILE = Path(__file__).resolve().parent.parent / "data" / "acts.yaml"
# Clause ends; a point between digits (385.2, 241.2) is a decimal, not a full stop.
_SPLIT = re.compile(r"((?:[，。！？；,!?;\n…~～]|(?<!\d)\.|\.(?!\d))+)")
OPTION_SPLIT = re.compile(r"、|或者|或是|或|还可以|也可以|要么|以及|/|[（(]?[1-9一二三][)）.、:：]")
NUMBER = re.compile(r"\d|[一二两三四五六七八九十半]+(个)?(天|小时|分钟|工作日|元|块|号|日|点|倍|%)")
_WORD_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_CJK_PAIR = re.compile(r"(?=([\u4e00-\u9fff]{2}))")
QUOTED = re.compile(r"“[^”]*”|「[^」]*」|『[^』]*』|\"[^\"]*\"|‘[^’]*’")
_SENTENCE = re.compile(r"我|您|你|了|吗|呢|吧|的|请|会|可以|能|要|是|有|哦|呀|啊|哈|就|都|在")
_LIST_MARK = re.compile(r"[、/|]|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
# Share of a clause's characters covered by listed words above which it is a keyword list.
STUFFED_SHARE = 0.75


@dataclass(frozen=True)
class Clause:
    """One clause of a turn: its words as written, normalised, and whether it asks."""

    raw: str
    norm: str
    question: bool
    stuffed: bool


@functools.cache
def lexicons() -> dict[str, re.Pattern]:
    """The generic act lexicons (data/acts.yaml), compiled."""
    _, raw = compose(ACTS_FILE.read_text(encoding="utf-8"))
    patterns = {
        key: re.compile(raw[key])
        for key in ("predicate", "question", "warning", "request", "mention", "vague")
    }
    patterns.update({key: re.compile(value) for key, value in raw["acts"].items()})
    return patterns


def spec_words(spec: dict | None) -> dict[str, list[str]]:
    """Scenario vocabulary: topic words of rubric items, solution words, fact questions."""
    topics, solutions, facts = [], [], []
    for item in (spec or {}).get("rubric", {}).get("items", []):
        for topic in item.get("topics") or []:
            words = [w for word in topic["words"] for w in word.split("+")]
            topics += words
            if not item.get("acts") or "informs" in item["acts"]:
                facts += words
            if "offers_solution" in (item.get("acts") or []):
                solutions += [word.split("+")[0] for word in topic["words"]]
        topics += item.get("offline_keywords") or []
        facts += item.get("offline_keywords") or []
    policy = normalise((spec or {}).get("policy", ""))
    stop = lexicons()["stop_bigrams"]
    bigrams = {pair for pair in _CJK_PAIR.findall(policy) if not stop.fullmatch(pair)}
    return {
        "policy": bigrams,
        "topics": sorted({normalise(w) for w in topics if normalise(w)}, key=len, reverse=True),
        "facts": sorted({normalise(w) for w in facts if normalise(w)}, key=len, reverse=True),
        "solutions": sorted({normalise(w) for w in solutions if normalise(w)}, key=len),
    }


def _covered_share(norm: str, words: list[str]) -> tuple[float, int]:
    """(share of characters inside occurrences of the words, number of occurrences): each
    word's non-overlapping occurrences from the left (plain `str.find`, no regex per word)."""
    covered = [False] * len(norm)
    hits = 0
    for word in words:
        if not word:
            hits += len(norm) + 1  # an empty word occurs at every position and covers nothing
            continue
        start = norm.find(word)
        while start >= 0:
            hits += 1
            end = start + len(word)
            covered[start:end] = [True] * len(word)
            start = norm.find(word, end)
    return (sum(covered) / len(norm) if norm else 0.0), hits


def split_clauses(text: str, words: list[str] = ()) -> list[Clause]:
    """The turn's clauses; a clause followed by ？ or phrased as a question is a question."""
    lex = lexicons()
    parts = _SPLIT.split(text or "")
    result = []
    for index in range(0, len(parts), 2):
        raw = parts[index].strip()
        norm = normalise(raw)
        if not norm:
            continue
        after = parts[index + 1] if index + 1 < len(parts) else ""
        question = "?" in after or "？" in after or bool(lex["question"].search(norm))
        bare = not lex["predicate"].search(norm)
        share, hits = _covered_share(norm, list(words))
        listed = len(_LIST_MARK.findall(raw)) >= 2 and share >= STUFFED_SHARE and hits >= 3
        stuffed = (bare and bool(_WORD_GAP.search(raw))) or _spaced_words(raw) or listed
        result.append(Clause(raw, norm, question, stuffed))
    return result


def _spaced_words(raw: str) -> bool:
    """Words separated by spaces, most of them without a pronoun or particle: a keyword list."""
    if not _WORD_GAP.search(raw):
        return False
    tokens = [t for t in re.split(r"\s+", raw) if re.search(r"[\u4e00-\u9fff]", t)]
    sentences = [t for t in tokens if _SENTENCE.search(t)]
    return len(sentences) < len(tokens) / 2


def keyword_list(clauses: list[Clause]) -> bool:
    """A turn made mostly of bare words ("理解，抱歉，吊牌，运费险") performs nothing."""
    if any(c.stuffed for c in clauses) and len(clauses) == 1:
        return True
    bare = [c for c in clauses if c.stuffed or not lexicons()["predicate"].search(c.norm)]
    return len(clauses) >= 3 and len(bare) / len(clauses) >= 0.6


def about_policy(norm: str, words: dict) -> bool:
    """The clause states something of the scenario: a topic word or two policy bigrams."""
    if any(word in norm for word in words["facts"]):
        return True
    return len(set(_CJK_PAIR.findall(norm)) & words["policy"]) >= 2


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(?=个?(小时|天|个工作日|工作日|分钟))")


def known_numbers(texts: list[str]) -> set[str] | None:
    """Every number written in the texts (the scenario, what the customer said); None when the
    scenario gives no time spans at all (then none can be judged wrong)."""
    if not any(_DURATION.search(normalise(text)) for text in texts):
        return None
    return numbers_in(texts)


def numbers_in(texts: list[str]) -> set[str]:
    """Every number written in the texts."""
    return {m for text in texts for m in re.findall(r"\d+(?:\.\d+)?", normalise(text))}


def wrong_duration(norm: str, known: set[str] | None) -> bool:
    """The clause gives a time span (hours, days) that the scenario and the customer never gave."""
    return known is not None and any(m.group(1) not in known for m in _DURATION.finditer(norm))


def scenario_texts(spec: dict | None) -> list[str]:
    """The scenario texts whose figures an agent may repeat (policy, situation, facts)."""
    spec = spec or {}
    texts = [spec.get("policy", ""), spec.get("situation", ""), spec.get("opening", "")]
    for fact in spec.get("hidden_facts", []):
        texts += [fact.get("fact", ""), fact.get("reveal", "")]
    return texts
