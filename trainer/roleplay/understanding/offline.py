"""The offline reader: clause by clause, generic service lexicons plus the scenario's own words.

Deterministic and cheap (the scripted customer calls `read_turn` on every agent turn). A clause
without a predicate, or one made mostly of listed keywords, is not an act: stuffing earns nothing.
"""

import re

from trainer.roleplay.policy import find_breaches
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
from trainer.roleplay.understanding.clauses import (
    NUMBER,
    OPTION_SPLIT,
    QUOTED,
    Clause,
    about_policy,
    keyword_list,
    known_numbers,
    lexicons,
    numbers_in,
    scenario_texts,
    spec_words,
    split_clauses,
    wrong_duration,
)


def _warned(norm: str, start: int) -> bool:
    """A warning or refusal marker before position `start` of the clause."""
    return bool(lexicons()["warning"].search(norm[:start]))


# Detail of an informs act that gives a time span the scenario does not (a wrong fact).
WRONG_TIME = "wrong_time"


class OfflineReader:
    """Rules and lexicons; the same text always gives the same reading."""

    name = "offline"

    def read(self, spec: dict, lines: list[Line]) -> list[TurnReading]:
        """One reading per agent line."""
        said = [line.text for line in lines if line.speaker != AGENT]
        known = known_numbers(scenario_texts(spec))
        if known is not None:
            known |= numbers_in(said)
        words = dict(spec_words(spec), numbers=known)
        return [
            read_text(spec, line.text, line.seq, words) for line in lines if line.speaker == AGENT
        ]


def read_text(spec: dict | None, text: str, seq: int, words: dict | None = None) -> TurnReading:
    """The acts of one agent turn."""
    if words is None:
        words = dict(spec_words(spec), numbers=known_numbers(scenario_texts(spec)))
    clauses = split_clauses(text, words["topics"])
    listed = keyword_list(clauses)
    acts: list[Act] = []
    offering = False
    previous = ""
    for clause in clauses:
        acts += _negative_acts(spec, clause, previous)
        previous = clause.norm
        if listed or clause.stuffed:
            continue
        positive, offering = _positive_acts(spec, clause, words, offering)
        acts += positive
    # Whether a mention is a request or a warning is the policy's decision, made on the whole
    # turn (a pattern may span a comma: "别投诉了，我给您补偿").
    for breach in find_breaches(text, spec):
        acts.append(Act(BREACH, breach.quote, breach.policy))
    for hit in detect_manipulation(text):
        acts.append(Act(MANIPULATION, hit["match"], hit["kind"]))
    return TurnReading(seq, tuple(acts))


def _negative_acts(spec: dict | None, clause: Clause, previous: str = "") -> list[Act]:
    """Rude and hurdle acts: stuffing never hides them."""
    lex, acts = lexicons(), []
    norm = QUOTED.sub("“”", clause.norm)  # quoted words are a mention, not the agent's own
    if lex["rude"].search(norm) and not lex["not_rude"].search(norm):
        acts.append(Act(RUDE, clause.raw))
    hurdle = lex["hurdle"].search(norm) or lex["dismissive"].search(norm)
    if (
        hurdle
        and not clause.question
        and not lex["correction"].search(previous + "，" + norm)  # an explained refusal
        and not re.search(r"不会|不是|并非|没有", norm[: hurdle.start()])
    ):
        acts.append(Act(HURDLE, clause.raw))
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
        not asking
        and not refused
        and not mention
        and (NUMBER.search(norm) or about_policy(norm, words))
    ):
        wrong = wrong_duration(norm, words.get("numbers"))
        acts.append(Act(INFORMS, raw, WRONG_TIME if wrong else ""))
    if lex["closes"].search(norm):
        acts.append(Act(CLOSES, raw))
    return acts, offering


def _options(norm: str, scenario_words: list[str]) -> list[str]:
    """Distinct concrete options in a clause: one per listed segment naming a solution."""
    found = []
    for segment in OPTION_SPLIT.split(norm):
        if not segment:
            continue
        match = next((w for w in scenario_words if w in segment), None)
        if match is None:
            generic = lexicons()["solution"].search(segment)
            match = generic.group(0) if generic else None
        if match and match not in found:
            found.append(match)
    return found
