"""Grade one response to one question version, as Moodle's question types do.

Responses are stored in the question's own terms (option indexes in the version's order), never
in the shuffled display order, so grading does not depend on how the attempt showed them:
- single: {"choice": i} · multi: {"choices": [i, ...]} · truefalse: {"value": bool}
- matching: {"matches": {"<pair index>": <choice index>}} · shortanswer / numerical: {"text": s}
"""

import re
import unicodedata
from dataclasses import dataclass, field

from trainer.quizzes.spec import (
    MATCHING,
    MULTI,
    NUMERICAL,
    SHORTANSWER,
    SINGLE,
    TRUEFALSE,
    QuestionSpec,
)

CORRECT, PARTIAL, WRONG, UNANSWERED = "correct", "partial", "wrong", "unanswered"


@dataclass
class Grade:
    """The mark for one response: fraction of the question's mark (1.0 = full), and feedback."""

    fraction: float
    state: str
    feedback: list[str] = field(default_factory=list)


def is_answered(spec: QuestionSpec, response: dict | None) -> bool:
    """Whether the response says anything at all."""
    if not response:
        return False
    if spec.qtype == SINGLE:
        return isinstance(response.get("choice"), int)
    if spec.qtype == MULTI:
        return bool(response.get("choices"))
    if spec.qtype == TRUEFALSE:
        return isinstance(response.get("value"), bool)
    if spec.qtype == MATCHING:
        return bool(response.get("matches"))
    return bool(str(response.get("text") or "").strip())


def grade_response(spec: QuestionSpec, response: dict | None) -> Grade:
    """Mark a response; unanswered questions score 0."""
    if not is_answered(spec, response):
        return Grade(0.0, UNANSWERED)
    graders = {
        SINGLE: _grade_single,
        MULTI: _grade_multi,
        TRUEFALSE: _grade_truefalse,
        MATCHING: _grade_matching,
        SHORTANSWER: _grade_short,
        NUMERICAL: _grade_numerical,
    }
    return graders[spec.qtype](spec, response)


def _state(fraction: float) -> str:
    if fraction >= 1 - 1e-9:
        return CORRECT
    if fraction > 1e-9:
        return PARTIAL
    return WRONG


def _grade_single(spec: QuestionSpec, response: dict) -> Grade:
    index = response["choice"]
    if not 0 <= index < len(spec.choices):
        return Grade(0.0, WRONG)
    choice = spec.choices[index]
    # Moodle lets a single-choice option carry a negative mark; the quiz total is floored at 0.
    fraction = choice.weight / 100
    return Grade(fraction, _state(fraction), [choice.feedback] if choice.feedback else [])


def _grade_multi(spec: QuestionSpec, response: dict) -> Grade:
    chosen = sorted({i for i in response["choices"] if isinstance(i, int)})
    chosen = [i for i in chosen if 0 <= i < len(spec.choices)]
    total = sum(spec.choices[i].weight for i in chosen) / 100
    # As Moodle's multiple-response grading: the sum of chosen weights, clamped to 0..1.
    fraction = min(max(total, 0.0), 1.0)
    feedback = [spec.choices[i].feedback for i in chosen if spec.choices[i].feedback]
    return Grade(fraction, _state(fraction), feedback)


def _grade_truefalse(spec: QuestionSpec, response: dict) -> Grade:
    value = response["value"]
    fraction = 1.0 if value == spec.correct else 0.0
    feedback = spec.feedback_true if value else spec.feedback_false
    return Grade(fraction, _state(fraction), [feedback] if feedback else [])


def _grade_matching(spec: QuestionSpec, response: dict) -> Grade:
    texts = spec.choice_texts()
    matches = response["matches"]
    scored = [(i, p) for i, p in enumerate(spec.pairs) if p.left]
    right = 0
    for index, pair in scored:
        chosen = matches.get(str(index))
        if isinstance(chosen, int) and 0 <= chosen < len(texts) and texts[chosen] == pair.right:
            right += 1
    fraction = right / len(scored) if scored else 0.0
    return Grade(fraction, _state(fraction))


def normalise_text(text: str, case_sensitive: bool = False) -> str:
    """Compare answers typed on Chinese keyboards fairly: NFKC (full-width → half-width),
    collapsed blanks, and case folded unless the question is case-sensitive."""
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    return text if case_sensitive else text.casefold()


def _wildcard(pattern: str) -> re.Pattern:
    parts = [re.escape(p) for p in pattern.split("*")]
    return re.compile("^" + ".*".join(parts) + "$", re.DOTALL)


def _grade_short(spec: QuestionSpec, response: dict) -> Grade:
    given = normalise_text(str(response["text"]), spec.case_sensitive)
    best = None
    for answer in spec.answers:
        expected = normalise_text(answer.text, spec.case_sensitive)
        if _wildcard(expected).match(given) and (best is None or answer.weight > best.weight):
            best = answer
    if best is None:
        return Grade(0.0, WRONG)
    fraction = best.weight / 100
    return Grade(fraction, _state(fraction), [best.feedback] if best.feedback else [])


THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(text: str) -> float | None:
    """A number typed by a person: full-width digits, `1,000`, `3,5` (decimal comma); else None."""
    cleaned = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
    cleaned = cleaned.replace("。", ".")
    if THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cleaned):
        return None
    value = float(cleaned)
    return value if value == value and abs(value) != float("inf") else None


def _grade_numerical(spec: QuestionSpec, response: dict) -> Grade:
    value = parse_number(response["text"])
    if value is None:
        return Grade(0.0, WRONG, [spec.wrong_feedback] if spec.wrong_feedback else [])
    best = None
    for answer in spec.numbers:
        low, high = answer.bounds()
        # A little slack so 0.1 + 0.2 style float noise never costs a mark.
        slack = 1e-9 * max(1.0, abs(low), abs(high))
        if low - slack <= value <= high + slack and (best is None or answer.weight > best.weight):
            best = answer
    if best is None:
        return Grade(0.0, WRONG, [spec.wrong_feedback] if spec.wrong_feedback else [])
    fraction = best.weight / 100
    return Grade(fraction, _state(fraction), [best.feedback] if best.feedback else [])


def right_answer(spec: QuestionSpec) -> list[str]:
    """The right answer(s) in words, for the review page."""
    if spec.qtype == SINGLE:
        return [c.text for c in spec.choices if c.weight >= 100 - 1e-9]
    if spec.qtype == MULTI:
        return [c.text for c in spec.choices if c.weight > 0]
    if spec.qtype == TRUEFALSE:
        return ["TRUE" if spec.correct else "FALSE"]
    if spec.qtype == MATCHING:
        return [f"{p.left} → {p.right}" for p in spec.scored_pairs()]
    if spec.qtype == SHORTANSWER:
        return [a.text for a in spec.answers if a.weight >= 100 - 1e-9]
    return [_number_text(n) for n in spec.numbers if n.weight >= 100 - 1e-9]


def _number_text(answer) -> str:
    from trainer.quizzes.gift.writer import number

    if answer.is_range:
        return f"{number(answer.low)} – {number(answer.high)}"
    if answer.tolerance:
        return f"{number(answer.value)} ± {number(answer.tolerance)}"
    return number(answer.value)
