"""The in-memory shape of a question, shared by the GIFT parser/writer, the forms and the bank.

A `QuestionSpec` is what a question *says* (type, texts, answers, feedback); the database keeps
it as the JSON `data` of an immutable `QuestionVersion`. `validate_spec` is the one place the
rules for a well-formed question live, so an import, a form and a content sync refuse the same
things with the same words.
"""

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field

from trainer.core.i18n import _

SINGLE, MULTI, TRUEFALSE, MATCHING, SHORTANSWER, NUMERICAL = (
    "single",
    "multi",
    "truefalse",
    "matching",
    "shortanswer",
    "numerical",
)
QTYPES = (SINGLE, MULTI, TRUEFALSE, MATCHING, SHORTANSWER, NUMERICAL)
TEXT_FORMATS = ("moodle", "markdown", "html", "plain")
DIFFICULTIES = ("easy", "medium", "hard")
MAX_TITLE = 255
MAX_CATEGORY = 255
MAX_TAG = 50


@dataclass
class Choice:
    """An option of a single- or multiple-choice question; weight in percent (-100..100)."""

    text: str
    weight: float = 0.0
    feedback: str = ""


@dataclass
class MatchPair:
    """A left item and the right item it matches; an empty left is an extra wrong answer."""

    left: str
    right: str


@dataclass
class TextAnswer:
    """An accepted short answer (`*` matches anything) with its weight and feedback."""

    text: str
    weight: float = 100.0
    feedback: str = ""


@dataclass
class NumericAnswer:
    """An accepted number: `value` ± `tolerance`, or the range `low`..`high`."""

    value: float
    tolerance: float = 0.0
    low: float | None = None
    high: float | None = None
    weight: float = 100.0
    feedback: str = ""

    @property
    def is_range(self) -> bool:
        return self.low is not None and self.high is not None

    def bounds(self) -> tuple[float, float]:
        """The accepted interval, inclusive."""
        if self.is_range:
            return self.low, self.high
        return self.value - self.tolerance, self.value + self.tolerance


@dataclass
class QuestionSpec:
    """Everything a question says; stored as a version's JSON."""

    qtype: str
    title: str
    stem: str
    text_format: str = "moodle"
    general_feedback: str = ""
    category: str = ""
    idnumber: str = ""
    tags: list[str] = field(default_factory=list)
    difficulty: str = ""
    choices: list[Choice] = field(default_factory=list)
    pairs: list[MatchPair] = field(default_factory=list)
    answers: list[TextAnswer] = field(default_factory=list)
    numbers: list[NumericAnswer] = field(default_factory=list)
    correct: bool | None = None  # true/false questions
    feedback_true: str = ""  # shown to who answered "true"
    feedback_false: str = ""
    wrong_feedback: str = ""  # numerical: for any answer that matches none
    case_sensitive: bool = False
    line: int = 0  # where the question starts in a GIFT file (0: not from a file)

    def content(self) -> dict:
        """The versioned part: everything except where it lives (category, tags, idnumber)."""
        data = asdict(self)
        for key in ("category", "idnumber", "tags", "difficulty", "line"):
            data.pop(key)
        return data

    def content_hash(self) -> str:
        """A digest of the versioned content, to tell whether an import changed a question."""
        blob = json.dumps(self.content(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()

    def choice_texts(self) -> list[str]:
        """Matching: the distinct right-hand texts a learner chooses from, in given order."""
        seen: list[str] = []
        for pair in self.pairs:
            if pair.right not in seen:
                seen.append(pair.right)
        return seen

    def scored_pairs(self) -> list[MatchPair]:
        """Matching: the pairs with a left item (the others are only distractors)."""
        return [p for p in self.pairs if p.left]


def spec_from_content(data: dict, **meta) -> QuestionSpec:
    """Rebuild a spec from a version's stored JSON (plus category/tags from the question)."""
    data = dict(data)
    data["choices"] = [Choice(**c) for c in data.get("choices", [])]
    data["pairs"] = [MatchPair(**p) for p in data.get("pairs", [])]
    data["answers"] = [TextAnswer(**a) for a in data.get("answers", [])]
    data["numbers"] = [NumericAnswer(**n) for n in data.get("numbers", [])]
    return QuestionSpec(**data, **meta)


def normalise_spec(spec: QuestionSpec) -> QuestionSpec:
    """Trim every text (GIFT cannot keep outer blanks) and drop empty answer rows."""
    spec.title = spec.title.strip()
    spec.stem = spec.stem.strip()
    spec.general_feedback = spec.general_feedback.strip()
    spec.category = "/".join(p.strip() for p in spec.category.split("/") if p.strip())
    spec.idnumber = spec.idnumber.strip()
    spec.tags = sorted({t.strip() for t in spec.tags if t.strip()})
    spec.feedback_true = spec.feedback_true.strip()
    spec.feedback_false = spec.feedback_false.strip()
    spec.wrong_feedback = spec.wrong_feedback.strip()
    for choice in spec.choices:
        choice.text, choice.feedback = choice.text.strip(), choice.feedback.strip()
    for pair in spec.pairs:
        pair.left, pair.right = pair.left.strip(), pair.right.strip()
    for answer in spec.answers:
        answer.text, answer.feedback = answer.text.strip(), answer.feedback.strip()
    for number in spec.numbers:
        number.feedback = number.feedback.strip()
        if number.is_range:  # the midpoint is derived, so every reader computes it alike
            number.value, number.tolerance = (number.low + number.high) / 2, 0.0
    return spec


def _weight_ok(weight: float) -> bool:
    return math.isfinite(weight) and -100 <= weight <= 100


def validate_spec(spec: QuestionSpec) -> list[str]:
    """Reasons the question is not well-formed (empty when it is fine)."""
    problems: list[str] = []
    if spec.qtype not in QTYPES:
        return [_("Unknown question type: %(qtype)s", qtype=spec.qtype)]
    if not spec.title:
        problems.append(_("The question needs a title."))
    if len(spec.title) > MAX_TITLE:
        problems.append(_("The title is longer than %(n)d characters.", n=MAX_TITLE))
    if not spec.stem:
        problems.append(_("The question text is empty."))
    if spec.text_format not in TEXT_FORMATS:
        problems.append(_("Unknown text format: %(name)s", name=spec.text_format))
    if len(spec.category) > MAX_CATEGORY:
        problems.append(_("The category is longer than %(n)d characters.", n=MAX_CATEGORY))
    if spec.difficulty and spec.difficulty not in DIFFICULTIES:
        problems.append(_("Difficulty must be easy, medium or hard."))
    if any(len(t) > MAX_TAG for t in spec.tags):
        problems.append(_("A tag is longer than %(n)d characters.", n=MAX_TAG))
    if any(set(t) & set("[]\\,，\n\r") for t in spec.tags):
        problems.append(_("Tags may not contain brackets, backslashes or commas."))
    checks = {
        SINGLE: _check_choices,
        MULTI: _check_choices,
        TRUEFALSE: _check_truefalse,
        MATCHING: _check_matching,
        SHORTANSWER: _check_short,
        NUMERICAL: _check_numerical,
    }
    problems.extend(checks[spec.qtype](spec))
    return problems


def _check_choices(spec: QuestionSpec) -> list[str]:
    problems = []
    choices = spec.choices
    if len(choices) < 2:
        problems.append(_("A choice question needs at least two options."))
    if any(not c.text for c in choices):
        problems.append(_("An option has no text."))
    if any(not _weight_ok(c.weight) for c in choices):
        problems.append(_("Weights must be between -100% and 100%."))
        return problems
    texts = [c.text for c in choices]
    if len(set(texts)) != len(texts):
        problems.append(_("Two options have the same text."))
    if spec.qtype == SINGLE:
        if not any(abs(c.weight - 100) < 1e-9 for c in choices):
            problems.append(_("A single-choice question needs one option worth 100%."))
        elif all(abs(c.weight - 100) < 1e-9 for c in choices):
            problems.append(_("A single-choice question needs at least one wrong option."))
    else:
        total = sum(c.weight for c in choices if c.weight > 0)
        if abs(total - 100) > 0.5:
            problems.append(
                _(
                    "The positive weights of a multiple-choice question must add up to 100%% "
                    "(they add up to %(total)s%%).",
                    total=f"{total:g}",
                )
            )
    return problems


def _check_truefalse(spec: QuestionSpec) -> list[str]:
    if spec.correct is None:
        return [_("Say whether the statement is true or false.")]
    return []


def _check_matching(spec: QuestionSpec) -> list[str]:
    problems = []
    scored = spec.scored_pairs()
    if len(scored) < 2:
        problems.append(_("A matching question needs at least two pairs."))
    if any(not p.right for p in spec.pairs):
        problems.append(_("Every pair needs a right-hand answer."))
    if any("->" in p.left for p in spec.pairs):
        problems.append(_("A left-hand item may not contain '->'."))
    lefts = [p.left for p in scored]
    if len(set(lefts)) != len(lefts):
        problems.append(_("Two pairs have the same left-hand item."))
    return problems


def _check_short(spec: QuestionSpec) -> list[str]:
    problems = []
    if not spec.answers:
        problems.append(_("A short-answer question needs at least one accepted answer."))
    if any(not a.text for a in spec.answers):
        problems.append(_("An accepted answer is empty."))
    if any("->" in a.text for a in spec.answers):
        problems.append(_("An accepted answer may not contain '->'."))
    if any(not _weight_ok(a.weight) or a.weight < 0 for a in spec.answers):
        problems.append(_("Weights of accepted answers must be between 0% and 100%."))
    elif spec.answers and not any(abs(a.weight - 100) < 1e-9 for a in spec.answers):
        problems.append(_("One accepted answer must be worth 100%."))
    return problems


def _check_numerical(spec: QuestionSpec) -> list[str]:
    problems = []
    if not spec.numbers:
        return [_("A numerical question needs at least one accepted number.")]
    for number in spec.numbers:
        values = [number.value, number.tolerance, number.weight]
        if number.is_range:
            values += [number.low, number.high]
        if not all(math.isfinite(v) for v in values):
            problems.append(_("Numbers must be finite."))
            continue
        if number.tolerance < 0:
            problems.append(_("A tolerance cannot be negative."))
        if number.is_range and number.low > number.high:
            problems.append(_("A range must go from the smaller to the larger number."))
        if not 0 <= number.weight <= 100:
            problems.append(_("Weights of accepted numbers must be between 0% and 100%."))
    if not problems and not any(abs(n.weight - 100) < 1e-9 for n in spec.numbers):
        problems.append(_("One accepted number must be worth 100%."))
    return problems
