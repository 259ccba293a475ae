"""INTERIM platform compliance check, replaced by branch `policy` at merge.

Only the contract lives here (`Breach`, `find_breaches`, `transcript_breaches`) so the grader
and the understanding layer can use it now; it maps the shipped compliance lexicons (rules.py)
onto platform policy ids and applies them to every scenario.
"""

from dataclasses import dataclass

from trainer.roleplay.rules import lexicon_hits
from trainer.roleplay.text import sentence_with
from trainer.roleplay.transcript import Line, agent_lines

# Lexicon name → platform policy id.
POLICY_OF_LEXICON = {
    "verification_code": "sensitive_data",
    "off_platform": "off_platform",
    "review_bribe": "review_incentive",
    "absolute_claims": "absolute_claim",
    "forbidden_promises": "forbidden_promise",
}
CRITICAL = "critical"


@dataclass(frozen=True)
class Breach:
    """One policy the text breaks, with the words that break it."""

    policy: str
    quote: str
    severity: str = CRITICAL


def find_breaches(text: str, spec: dict | None = None) -> list[Breach]:
    """Platform policies an agent's text breaks (one Breach per policy)."""
    found: dict[str, Breach] = {}
    for hit in lexicon_hits(text, list(POLICY_OF_LEXICON)):
        policy = POLICY_OF_LEXICON[hit["lexicon"]]
        if policy not in found:
            found[policy] = Breach(policy, sentence_with(text, hit["match"]) or hit["match"])
    return list(found.values())


def transcript_breaches(spec: dict, lines: list[Line]) -> list[tuple[int, Breach]]:
    """(turn seq, breach) for every agent turn of a transcript; customer turns never count."""
    return [
        (line.seq, breach)
        for line in agent_lines(lines)
        for breach in find_breaches(line.text, spec)
    ]
