"""The offline reader: clause by clause, generic service lexicons plus the scenario's own words.

Deterministic and cheap (the scripted customer calls `read_turn` on every agent turn). A clause
without a predicate, or one made mostly of listed keywords, is not an act: stuffing earns nothing.
"""

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from trainer.core.yamlsafe import compose
from trainer.roleplay.rules import detect_manipulation
from trainer.roleplay.text import normalise
from trainer.roleplay.transcript import AGENT, Line
from trainer.roleplay.understanding import (
    ASKS_EVIDENCE,
    BREACH,
    CLOSES,
    COMMITS,
    EMPATHY,
    ESCALATES,
    GREETS,
    HURDLE,
    INFORMS,
    MANIPULATION,
    OFFERS_SOLUTION,
    RUDE,
    VERIFIES,
    Act,
    TurnReading,
)

ACTS_FILE = Path(__file__).resolve().parent.parent / "data" / "acts.yaml"
_SPLIT = re.compile(r"([，。！？；,.!?;\n…~～]+)")
_OPTION_SPLIT = re.compile(
    r"、|或者|或是|或|还可以|也可以|要么|以及|/|[（(]?[1-9一二三][)）.、:：]"
)
_NUMBER = re.compile(
    r"\d|[一二两三四五六七八九十半]+(个)?(天|小时|分钟|工作日|元|块|号|日|点|倍|%)"
)
_WORD_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_CJK_PAIR = re.compile(r"(?=([\u4e00-\u9fff]{2}))")
_QUOTED = re.compile(r"“[^”]*”|「[^」]*」|『[^』]*』|\"[^\"]*\"|‘[^’]*’")
_LIST_MARK = re.compile(r"[、/|]|\s+")
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
    topics, solutions = [], []
    for item in (spec or {}).get("rubric", {}).get("items", []):
        for topic in item.get("topics") or []:
            words = [w for word in topic["words"] for w in word.split("+")]
            topics += words
            if "offers_solution" in (item.get("acts") or []):
                solutions += [word.split("+")[0] for word in topic["words"]]
        topics += item.get("offline_keywords") or []
    policy = normalise((spec or {}).get("policy", ""))
    stop = lexicons()["stop_bigrams"]
    bigrams = {pair for pair in _CJK_PAIR.findall(policy) if not stop.fullmatch(pair)}
    return {
        "policy": bigrams,
        "topics": sorted({normalise(w) for w in topics if normalise(w)}, key=len, reverse=True),
        "solutions": sorted({normalise(w) for w in solutions if normalise(w)}, key=len),
    }


def _covered_share(norm: str, words: list[str]) -> tuple[float, int]:
    covered = [False] * len(norm)
    hits = 0
    for word in words:
        for match in re.finditer(re.escape(word), norm):
            hits += 1
            for i in range(match.start(), match.end()):
                covered[i] = True
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
        gaps = len(_WORD_GAP.findall(raw))
        listed = len(_LIST_MARK.findall(raw)) >= 2 and share >= STUFFED_SHARE and hits >= 3
        stuffed = gaps >= 2 or (bare and gaps == 1) or listed
        result.append(Clause(raw, norm, question, stuffed))
    return result


def keyword_list(clauses: list[Clause]) -> bool:
    """A turn made mostly of bare words ("理解，抱歉，吊牌，运费险") performs nothing."""
    if any(c.stuffed for c in clauses) and len(clauses) == 1:
        return True
    bare = [c for c in clauses if c.stuffed or not lexicons()["predicate"].search(c.norm)]
    return len(clauses) >= 3 and len(bare) / len(clauses) >= 0.6


def _warned(norm: str, start: int) -> bool:
    """A warning or refusal marker before position `start` of the clause."""
    return bool(lexicons()["warning"].search(norm[:start]))


def _first(pattern: re.Pattern, norm: str) -> re.Match | None:
    return pattern.search(norm)


class OfflineReader:
    """Rules and lexicons; the same text always gives the same reading."""

    name = "offline"

    def read(self, spec: dict, lines: list[Line]) -> list[TurnReading]:
        """One reading per agent line."""
        words = spec_words(spec)
        return [
            read_text(spec, line.text, line.seq, words) for line in lines if line.speaker == AGENT
        ]


def read_text(spec: dict | None, text: str, seq: int, words: dict | None = None) -> TurnReading:
    """The acts of one agent turn."""
    words = words if words is not None else spec_words(spec)
    clauses = split_clauses(text, words["topics"])
    listed = keyword_list(clauses)
    acts: list[Act] = []
    offering = False
    for clause in clauses:
        acts += _negative_acts(spec, clause)
        if listed or clause.stuffed:
            continue
        positive, offering = _positive_acts(spec, clause, words, offering)
        acts += positive
    for hit in detect_manipulation(text):
        acts.append(Act(MANIPULATION, hit["match"], hit["kind"]))
    return TurnReading(seq, tuple(acts))


def _negative_acts(spec: dict | None, clause: Clause) -> list[Act]:
    """Rude, hurdle and breach acts: stuffing never hides them."""
    from trainer.roleplay.policy import find_breaches

    lex, acts = lexicons(), []
    norm = _QUOTED.sub("“”", clause.norm)  # quoted words are a mention, not the agent's own
    if lex["rude"].search(norm) and not lex["not_rude"].search(norm):
        acts.append(Act(RUDE, clause.raw))
    hurdle = lex["hurdle"].search(norm) or lex["dismissive"].search(norm)
    if (
        hurdle
        and not clause.question
        and not lex["correction"].search(norm)
        and not re.search(r"不会|不是|并非|没有", norm[: hurdle.start()])
    ):
        acts.append(Act(HURDLE, clause.raw))
    # Whether a mention is a request or a warning is the policy check's decision.
    for breach in find_breaches(clause.raw, spec):
        acts.append(Act(BREACH, clause.raw, breach.policy))
    return acts


def _positive_acts(spec, clause: Clause, words: dict, offering: bool) -> tuple[list[Act], bool]:
    """Greets … closes for one clause with a predicate; `offering` carries a list of options."""
    lex, norm, raw, acts = lexicons(), clause.norm, clause.raw, []
    refused = bool(lex["hurdle"].search(norm))
    mention = bool(lex["mention"].search(norm) or lex["vague"].search(norm))
    if lex["greets"].search(norm):
        acts.append(Act(GREETS, raw))
    empathy = lex["empathy"].search(norm)
    if (
        empathy
        and not clause.question
        and not re.search(r"不|没", norm[max(0, empathy.start() - 2) : empathy.start()])
    ):
        acts.append(Act(EMPATHY, raw))
    asking = clause.question or bool(lex["request"].search(norm))
    evidence = lex["evidence"].search(norm)
    if evidence and asking and not _warned(norm, evidence.start()):
        acts.append(Act(ASKS_EVIDENCE, raw))
    fact = next(
        (
            f["id"]
            for f in (spec or {}).get("hidden_facts", [])
            if any(normalise(w) and normalise(w) in norm for w in f["ask_keywords"])
        ),
        "",
    )
    if asking and (fact or lex["verifies"].search(norm)):
        acts.append(Act(VERIFIES, raw, fact))
    elif lex["verifies_found"].search(norm):
        acts.append(Act(VERIFIES, raw))
    options = _options(norm, words["solutions"])
    if options and not refused and not mention and (offering or lex["offer"].search(norm)):
        acts += [Act(OFFERS_SOLUTION, raw, option) for option in options]
        offering = True
    elif re.search(r"选择|方案|以下|几种|两种|三种", norm):
        offering = True
    time = lex["commit_time"].search(norm)
    if (
        time
        and lex["commit_actor"].search(norm)
        and lex["commit_action"].search(norm)
        and not refused
    ):
        acts.append(Act(COMMITS, raw, time.group(0)))
    department = lex["department"].search(norm)
    if (
        department
        and lex["escalate_verb"].search(norm[: department.start()])
        and not _warned(norm, department.start())
    ):
        acts.append(Act(ESCALATES, raw, department.group(0)))
    if (
        not clause.question
        and not refused
        and not mention
        and (_NUMBER.search(norm) or _about_policy(norm, words))
    ):
        acts.append(Act(INFORMS, raw))
    if lex["closes"].search(norm):
        acts.append(Act(CLOSES, raw))
    return acts, offering


def _options(norm: str, scenario_words: list[str]) -> list[str]:
    """Distinct concrete options in a clause: one per listed segment naming a solution."""
    found = []
    for segment in _OPTION_SPLIT.split(norm):
        if not segment:
            continue
        match = next((w for w in scenario_words if w in segment), None)
        if match is None:
            generic = lexicons()["solution"].search(segment)
            match = generic.group(0) if generic else None
        if match and match not in found:
            found.append(match)
    return found


def _about_policy(norm: str, words: dict) -> bool:
    """The clause states something of the scenario: a topic word or two policy bigrams."""
    if any(word in norm for word in words["topics"]):
        return True
    return len(set(_CJK_PAIR.findall(norm)) & words["policy"]) >= 2
