"""Grade a transcript against a scenario's rubric; all arithmetic happens here, in code.

Item score = (chosen − min) / (max − min); total = weighted mean of applicable items × 100;
a failed critical item sets the total to 0; passed = no critical failure and total ≥ pass mark.
"""

from dataclasses import dataclass, field
from typing import Any

from trainer.roleplay import judge as judges
from trainer.roleplay import llm, scoring
from trainer.roleplay.policy import transcript_breaches
from trainer.roleplay.rules import evaluate_rule, manipulation_flags
from trainer.roleplay.scenarios import scale_bounds
from trainer.roleplay.text import normalise
from trainer.roleplay.transcript import Line, agent_lines
from trainer.roleplay.understanding import RUDE, TurnReading, read_transcript

ABUSE = "abuse"
# Points (of 100) an agent turn aimed at the grader costs, on top of earning nothing.
MANIPULATION_PENALTY = 20
# A quote must be at least this long (normalised) to count as evidence.
MIN_QUOTE_CHARS = 2


@dataclass
class Grade:
    """The outcome of grading: what the CLI prints and RoleplayGrade stores."""

    total: float
    passed: bool
    critical_failed: bool
    items: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    judge: str = "offline"
    judge_model: str | None = None
    tokens: int = 0
    pass_mark: int = 70
    extra: dict[str, Any] = field(default_factory=dict)
    breaches: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `flask roleplay grade`."""
        return {
            "total": self.total,
            "passed": self.passed,
            "critical_failed": self.critical_failed,
            "pass_mark": self.pass_mark,
            "judge": self.judge,
            "items": self.items,
            "flags": self.flags,
            "breaches": [
                {"policy": b["policy"], "turn": b["turn"], "quote": b["quote"]}
                for b in self.breaches
            ],
        }


def fraction(item: dict) -> float | None:
    """The item's score on 0-1, or None when not applicable."""
    if item["score"] is None:
        return None
    low, high = scale_bounds(item["scale"])
    return (item["score"] - low) / (high - low)


def item_failed(item: dict) -> bool:
    """Failed: below the middle of its scale (pass/fail items: a fail)."""
    share = fraction(item)
    return share is not None and share < 0.5


def compute_total(items: list[dict], pass_mark: float) -> tuple[float, bool, bool]:
    """(total 0-100, passed, critical_failed) from scored items."""
    applicable = [(item, fraction(item)) for item in items if item["score"] is not None]
    weight = sum(item["weight"] for item, _ in applicable)
    total = (
        100 * sum(item["weight"] * share for item, share in applicable) / weight if weight else 0
    )
    critical_failed = any(item["critical"] and item_failed(item) for item, _ in applicable)
    if critical_failed:
        total = 0.0
    total = round(total, 1)
    return total, (not critical_failed and total >= pass_mark), critical_failed


def _base(item: dict) -> dict:
    low, high = scale_bounds(item["scale"])
    return {
        "id": item["id"],
        "title": item["title"],
        "kind": item["kind"],
        "scale": item["scale"],
        "min": low,
        "max": high,
        "weight": item["weight"],
        "critical": item["critical"],
        "score": None,
        "evidence": "",
        "justification": "",
        "detail": {},
        "source": "rule",
        "flags": [],
    }


def _quote_location(quote: str, lines: list[Line], excluded: set[int]) -> str:
    """Where a quote occurs: "agent", "manipulation" (a flagged agent turn), "customer" or ""."""
    target = normalise(quote)
    if len(target) < MIN_QUOTE_CHARS:
        return ""
    agent = agent_lines(lines)
    if any(target in normalise(line.text) for line in agent if line.seq not in excluded):
        return "agent"
    if any(target in normalise(line.text) for line in agent):
        return "manipulation"
    if any(target in normalise(line.text) for line in lines):
        return "customer"
    return ""


def _apply_judged(entry: dict, spec_item: dict, raw: Any, lines, excluded) -> None:
    """Check an LLM judge's answer for one item: allowed score, and a verbatim agent quote."""
    allowed = judges.allowed_scores(spec_item)
    if not isinstance(raw, dict) or raw.get("score", "missing") not in allowed:
        entry.update(score=entry["min"], source="llm")
        entry["flags"].append("invalid_score")
        return
    score = raw["score"]
    quote = str(raw.get("evidence") or "").strip()
    entry.update(
        score=score,
        evidence=quote,
        justification=str(raw.get("justification") or "").strip()[:500],
        source="llm",
    )
    if score is None or score == entry["min"]:
        return
    where = _quote_location(quote, lines, excluded)
    if where != "agent":
        # Evidence that is not the agent's own words earns nothing, and a trainer looks at it.
        entry["score"] = entry["min"]
        entry["flags"].append(
            {"": "quote_not_found", "customer": "quote_not_agent"}.get(
                where, "quote_from_manipulation"
            )
        )


def _rule(check: dict, spec: dict, lines, readings, excluded) -> tuple[bool, str, dict]:
    """Rule items: facts must be asked for (an act), lexicons decided per clause, else rules.py."""
    if check["type"] == "hidden_fact_uncovered":
        quote = scoring.fact_uncovered(check["fact"], readings, excluded)
        fact = next(f for f in spec["hidden_facts"] if f["id"] == check["fact"])
        return quote is not None, quote or "", {"fact": fact["fact"]}
    if check["type"] == "forbidden_lexicon":
        quote, hits = scoring.lexicon_breach(check["lexicon"], lines)
        return not hits, quote, {"hits": hits}
    if check["type"] == "forbidden_phrases":
        quote, found = scoring.phrase_breach(check["phrases"], lines)
        return not found, quote, {"found": found}
    return evaluate_rule(check, spec, lines, excluded)


def platform_breaches(spec: dict, lines: list[Line], readings: list[TurnReading]) -> list[dict]:
    """The platform policy's breaches in the agent's turns (manipulative ones included), plus
    insulting or rudely blaming the customer as `abuse` where the policy's words missed it."""
    found: list[dict] = []
    for breach in transcript_breaches(spec, lines):  # one entry per policy and turn
        if not any(b["policy"] == breach["policy"] and b["turn"] == breach["turn"] for b in found):
            found.append(breach)
    for reading in readings:
        if reading.has(RUDE) and not any(
            b["policy"] == ABUSE and b["turn"] == reading.seq for b in found
        ):
            quote = reading.of(RUDE)[0].quote
            found.append(
                {"policy": ABUSE, "turn": reading.seq, "quote": quote, "severity": "critical"}
            )
    return found


def grade_transcript(
    spec: dict, lines: list[Line], *, judge: str | None = None, readings=None
) -> Grade:
    """Grade `lines` with the scenario's rubric: rules and acts offline, judged items by the judge.

    A critical platform breach in any agent turn fails the grade (total 0) whatever the rubric.
    """
    judge = judge or judges.judge_mode()
    flags = manipulation_flags(lines)
    excluded = {flag["seq"] for flag in flags}
    readings = readings if readings is not None else read_transcript(spec, lines)
    breaches = platform_breaches(spec, lines, readings)
    items: list[dict] = []
    judged: list[tuple[dict, dict]] = []
    for spec_item in spec["rubric"]["items"]:
        entry = _base(spec_item)
        if spec_item["kind"] == "rule":
            passed, evidence, detail = _rule(spec_item["check"], spec, lines, readings, excluded)
            entry.update(score=1 if passed else 0, evidence=evidence, detail=detail)
        else:
            judged.append((entry, spec_item))
        items.append(entry)
    used, model, tokens = "offline", None, 0
    if judged and judge == "llm":
        try:
            raw, tokens = judges.llm_judge(spec, [s for _, s in judged], lines)
            used, model = "llm", llm.model_name()
            for entry, spec_item in judged:
                _apply_judged(entry, spec_item, raw.get(spec_item["id"]), lines, excluded)
        except llm.LLMError as error:
            used, tokens = "offline_fallback", error.tokens
            flags.append({"code": "judge_unavailable", "kind": error.kind})
    if used != "llm":
        for entry, spec_item in judged:
            entry.update(scoring.score_judged(spec_item, readings, excluded))
    for entry in items:
        for code in entry["flags"]:
            flags.append({"code": code, "item": entry["id"]})
    pass_mark = spec["rubric"]["pass_mark"]
    total, passed, critical_failed = compute_total(items, pass_mark)
    total, passed, critical_failed = apply_breaches(breaches, flags, total, passed, critical_failed)
    if excluded and not critical_failed:
        # Writing to the grader is misconduct: it earns nothing and costs one band.
        total = round(max(0.0, total - MANIPULATION_PENALTY), 1)
        passed = passed and total >= pass_mark
    return Grade(
        total=total,
        passed=passed,
        critical_failed=critical_failed,
        items=items,
        flags=flags,
        judge=used,
        judge_model=model,
        tokens=tokens,
        pass_mark=pass_mark,
        breaches=breaches,
    )


def apply_breaches(
    breaches: list[dict], flags: list[dict], total: float, passed: bool, critical_failed: bool
) -> tuple[float, bool, bool]:
    """Platform policy breaches: each one flagged; a critical one fails the grade (total 0)."""
    for b in breaches:
        flags.append(
            {
                "code": "policy_breach",
                "policy": b["policy"],
                "seq": b["turn"],
                "quote": b["quote"],
                "severity": b["severity"],
            }
        )
    if any(b["severity"] == "critical" for b in breaches):
        return 0.0, False, True
    return total, passed, critical_failed
