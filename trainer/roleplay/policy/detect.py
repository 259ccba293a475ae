"""Find breaches of the platform policy (plus a scenario's own rules) in agent turns."""

import functools
import json
import re
from dataclasses import dataclass

from trainer.roleplay.policy import clause
from trainer.roleplay.policy.spec import Policy, Rule, compile_rule
from trainer.roleplay.policy.store import active_policy
from trainer.roleplay.textfold import Folder
from trainer.roleplay.transcript import Line, agent_lines


@dataclass(frozen=True)
class Breach:
    """One clause of an agent turn that breaks a rule."""

    policy: str  # rule id, e.g. "off_platform" (scenario-added rules: their own id)
    quote: str  # the agent's clause, verbatim (not folded)
    severity: str  # "critical" | "major"


def scenario_rules(spec: dict | None, folder: Folder) -> tuple[Rule, ...]:
    """Rules a scenario adds: its forbidden_phrases rubric items (critical items stay critical)."""
    if not spec:
        return ()
    added = []
    for item in spec.get("rubric", {}).get("items", []):
        check = item.get("check") or {}
        if item.get("kind") == "rule" and check.get("type") == "forbidden_phrases":
            added.append(
                (
                    item["id"],
                    json.dumps(item["title"], ensure_ascii=False),
                    tuple(check["phrases"]),
                    "critical" if item.get("critical") else "major",
                )
            )
    return _compile_added(tuple(added), folder)


@functools.lru_cache(maxsize=64)
def _compile_added(added: tuple, folder: Folder) -> tuple[Rule, ...]:
    return tuple(
        compile_rule(
            {"id": rid, "title": json.loads(title), "severity": severity, "phrases": list(phrases)},
            folder,
            platform=False,
        )
        for rid, title, phrases, severity in added
    )


def breaches_in(text: str, rules: tuple[Rule, ...], folder: Folder) -> list[Breach]:
    """Breaches of `rules` in one agent turn: at most one per rule and clause.

    Each clause is read alone; two clauses of one sentence are read together only for a
    match that spans the comma (别投诉了，我给您补偿). A rule's `unless` looks at the sentence.
    """
    found: list[Breach] = []
    for sentence in clause.sentences(text):
        folded = [folder.fold(part[0]) for part in sentence]
        whole = "".join(folded)
        # A rule's `unless` looks at the whole sentence: decided once per sentence.
        live = [r for r in rules if r.unless is None or not r.unless.search(whole)]
        for index, (raw, question, start, _end) in enumerate(sentence):
            pair = index + 1 < len(sentence)
            joined = folded[index] + folded[index + 1] if pair else ""
            for rule in live:
                following = folded[index + 1] if pair else ""
                if folded[index] and _breaks(rule, folded[index], question, following=following):
                    found.append(Breach(rule.id, raw, rule.severity))
                elif pair and _breaks(rule, joined, sentence[index + 1][1], len(folded[index])):
                    quote = text[start : sentence[index + 1][3]]
                    found.append(Breach(rule.id, quote, rule.severity))
    return found


def _breaks(
    rule: Rule, folded: str, question: bool, spans: int | None = None, following: str = ""
) -> bool:
    """Whether a match of the rule is the agent's act (with `spans`: only matches across it;
    `following` is the next clause of the sentence, which may call it risky or refuse it)."""
    if rule.screen is not None and rule.screen.search(folded) is None:
        return False
    for matcher in rule.matchers:
        for match in _matches(matcher.regex, folded):
            if spans is not None and not match.start() < spans < match.end():
                continue
            if match.end() > match.start() and clause.is_own_act(
                folded,
                match.start(),
                match.end(),
                own_negation=matcher.own_negation,
                quoted_ok=rule.quoted_ok,
                question=question,
                following=following,
            ):
                return True
    return False


def _matches(regex: re.Pattern, folded: str):
    """Matches starting at every position (overlapping): "试穿后不退不换" holds both "试穿后不退"
    (refused right after, so not the agent's act) and "不退不换", which is."""
    position = 0
    while (match := regex.search(folded, position)) is not None:
        yield match
        position = match.start() + 1


def find_breaches(
    text: str, spec: dict | None = None, *, policy: Policy | None = None
) -> list[Breach]:
    """Breaches in one agent turn: the platform policy plus the rules `spec` adds."""
    policy = policy or active_policy()
    rules = policy.rules + scenario_rules(spec, policy.folder)
    return breaches_in(text, rules, policy.folder)


def transcript_breaches(
    spec: dict, lines: list[Line], *, policy: Policy | None = None
) -> list[dict]:
    """[{"policy", "turn", "quote", "severity"}] over the agent's turns (turn = Line.seq)."""
    policy = policy or active_policy()
    rules = policy.rules + scenario_rules(spec, policy.folder)
    return [
        {"policy": b.policy, "turn": line.seq, "quote": b.quote, "severity": b.severity}
        for line in agent_lines(lines)
        for b in breaches_in(line.text, rules, policy.folder)
    ]
