"""Reading the answer block of each GIFT question type (Moodle's rules, stricter errors)."""

from trainer.core.i18n import _
from trainer.quizzes.gift.lexer import TF_WORDS, WEIGHT, Fail, plain, split_format
from trainer.quizzes.spec import (
    MATCHING,
    MULTI,
    NUMERICAL,
    SHORTANSWER,
    SINGLE,
    TRUEFALSE,
    Choice,
    MatchPair,
    NumericAnswer,
    QuestionSpec,
    TextAnswer,
)


def _pieces(text: str, base: int, markers: str) -> list[tuple[str, str, int]]:
    """Split at each marker character: (marker, piece after it, offset of the marker)."""
    found = [(i, ch) for i, ch in enumerate(text) if ch in markers]
    head = text[: found[0][0]] if found else text
    if head.strip():
        raise Fail(base, _("Text before the first answer marker: %(text)s", text=plain(head)[:40]))
    pieces = []
    for n, (i, ch) in enumerate(found):
        end = found[n + 1][0] if n + 1 < len(found) else len(text)
        pieces.append((ch, text[i + 1 : end], base + i))
    return pieces


def _lead_with(text: str, base: int, marker: str) -> tuple[str, int]:
    """Moodle takes text before the first `=` as an answer too: give it its marker."""
    stripped = text.lstrip()
    if stripped and not stripped.startswith(marker):
        return marker + stripped, base + len(text) - len(stripped) - 1
    return text, base


def _weight(piece: str, offset: int, default: float) -> tuple[float, str]:
    """A leading `%50%` weight, else `default`; a `%` that is not a weight is an error."""
    stripped = piece.lstrip()
    if not stripped.startswith("%"):
        return default, piece
    match = WEIGHT.match(stripped)
    if not match:
        raise Fail(offset, _("A weight must look like %(a)s or %(b)s.", a="%50%", b="%-33.3%"))
    value = float(match.group(1))
    if not -100 <= value <= 100:
        raise Fail(offset, _("Weights must be between -100% and 100%."))
    return value, stripped[match.end() :]


def _text_and_feedback(piece: str) -> tuple[str, str]:
    text, _sep, feedback = piece.partition("#")
    fmt, text = split_format(text)
    _ffmt, feedback = split_format(feedback)
    return plain(text), plain(feedback)


def read_choices(spec: QuestionSpec, answers: str, base: int) -> None:
    spec.qtype = SINGLE if "=" in answers else MULTI
    for marker, piece, offset in _pieces(answers, base, "~="):
        if marker == "=":
            weight = 100.0  # as Moodle: after `=`, a leading %50% is text, not a weight
        else:
            weight, piece = _weight(piece, offset, 0.0)
        text, feedback = _text_and_feedback(piece)
        if not text:
            raise Fail(offset, _("An option has no text."))
        spec.choices.append(Choice(text=text, weight=weight, feedback=feedback))


def read_matching(spec: QuestionSpec, answers: str, base: int) -> None:
    spec.qtype = MATCHING
    answers, base = _lead_with(answers, base, "=")
    for _marker, piece, offset in _pieces(answers, base, "="):
        if "->" not in piece:
            raise Fail(offset, _("A matching pair needs 'left -> right'."))
        left, right = piece.split("->", 1)
        _fmt, left = split_format(left)
        spec.pairs.append(MatchPair(left=plain(left), right=plain(right)))


def read_truefalse(spec: QuestionSpec, answers: str, word: str) -> None:
    spec.qtype = TRUEFALSE
    spec.correct = TF_WORDS[word]
    bits = answers.split("#", 2)
    wrong = plain(split_format(bits[1])[1]) if len(bits) > 1 else ""
    right = plain(split_format(bits[2])[1]) if len(bits) > 2 else ""
    # Moodle: the first feedback is for a wrong answer, the second for a right one.
    if spec.correct:
        spec.feedback_true, spec.feedback_false = right, wrong
    else:
        spec.feedback_true, spec.feedback_false = wrong, right


def read_short(spec: QuestionSpec, answers: str, base: int) -> None:
    spec.qtype = SHORTANSWER
    answers, base = _lead_with(answers, base, "=")
    for _marker, piece, offset in _pieces(answers, base, "="):
        weight, piece = _weight(piece, offset, 100.0)
        text, feedback = _text_and_feedback(piece)
        if not text:
            raise Fail(offset, _("An accepted answer is empty."))
        spec.answers.append(TextAnswer(text=text, weight=weight, feedback=feedback))


def _number(text: str, offset: int) -> float:
    cleaned = plain(text)
    try:
        value = float(cleaned)
    except ValueError:
        raise Fail(offset, _("Not a number: %(text)s", text=cleaned[:40])) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Fail(offset, _("Not a number: %(text)s", text=cleaned[:40]))
    return value


def read_numerical(spec: QuestionSpec, answers: str, base: int) -> None:
    spec.qtype = NUMERICAL
    wrong_at = answers.find("~")
    if wrong_at >= 0:
        wrong = answers[wrong_at + 1 :]
        answers = answers[:wrong_at]
        spec.wrong_feedback = plain(split_format(wrong.partition("#")[2])[1])
    stripped = answers.lstrip()
    base += len(answers) - len(stripped)
    if stripped:
        stripped, base = _lead_with(stripped, base, "=")  # `{#10:0}`: one answer, no `=`
    if not stripped.strip():
        raise Fail(base, _("A numerical question needs at least one accepted number."))
    for _marker, piece, offset in _pieces(stripped, base, "="):
        weight, piece = _weight(piece, offset, 100.0)
        value_text, _sep, feedback = piece.partition("#")
        value_text = value_text.strip()
        feedback = plain(split_format(feedback)[1])
        if not value_text:
            raise Fail(offset, _("A numerical answer has no number."))
        if ".." in value_text[1:]:
            cut = value_text.index("..", 1)
            low = _number(value_text[:cut], offset)
            high = _number(value_text[cut + 2 :], offset)
            number = NumericAnswer(
                value=(low + high) / 2, low=low, high=high, weight=weight, feedback=feedback
            )
        elif ":" in value_text[1:]:
            cut = value_text.index(":", 1)
            number = NumericAnswer(
                value=_number(value_text[:cut], offset),
                tolerance=_number(value_text[cut + 1 :], offset),
                weight=weight,
                feedback=feedback,
            )
        else:
            number = NumericAnswer(
                value=_number(value_text, offset), weight=weight, feedback=feedback
            )
        spec.numbers.append(number)
