"""Read Moodle GIFT text into question specs, following Moodle's qformat_gift grammar.

Questions are blocks separated by blank lines. Full-line `//` comments are dropped, but their
`[id:…]` and `[tag:…]` tokens (as Moodle reads them) and this project's `[difficulty:…]` and
`[case-sensitive]` tokens apply to the question. `\\~ \\= \\# \\{ \\} \\: \\\\ \\n` are escapes.

Where Moodle would guess (text before the first answer marker, an odd weight, a second answer
block) this parser stops with a line-numbered problem instead, so nothing is imported mangled.
Essay and description questions exist in GIFT but not here: they are skipped with a warning.
"""

import re
from dataclasses import dataclass, field

from trainer.core.i18n import _
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
    normalise_spec,
    validate_spec,
)

# Escaped characters become Unicode noncharacters while parsing, so they never act as syntax;
# they turn back into the plain character in every text that comes out.
ESCAPES = {
    "\\": "\ufdd0",
    ":": "\ufdd1",
    "#": "\ufdd2",
    "=": "\ufdd3",
    "{": "\ufdd4",
    "}": "\ufdd5",
    "~": "\ufdd6",
    "n": "\ufdd7",
}
UNESCAPE = {v: ("\n" if k == "n" else k) for k, v in ESCAPES.items()}
_UNESCAPE_TABLE = str.maketrans(UNESCAPE)
_PLACEHOLDER = re.compile("[\ufdd0-\ufdd7]")
WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
FORMAT = re.compile(r"^\[(moodle|markdown|html|plain)\]")
ID_TOKEN = re.compile(r"\[id:((?:\\]|[^\]\x00-\x1f])+)\]")
TAG_TOKEN = re.compile(r"\[tag:((?:\\]|[^\]\x00-\x1f])+)\]")
DIFFICULTY_TOKEN = re.compile(r"\[difficulty:\s*(\w+)\s*\]")
CASE_MARK = "[case-sensitive]"
TF_WORDS = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass(frozen=True)
class GiftProblem:
    """A problem at a line of the GIFT text."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class GiftError(ValueError):
    """The GIFT text is malformed; `problems` says where and why. Nothing should be imported."""

    def __init__(self, problems: list[GiftProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: p.line)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class GiftResult:
    """The questions read from a file, and warnings about questions skipped."""

    questions: list[QuestionSpec] = field(default_factory=list)
    warnings: list[GiftProblem] = field(default_factory=list)


class _Fail(Exception):
    """A problem at a character offset into the (escaped) block text."""

    def __init__(self, offset: int, message: str) -> None:
        self.offset = offset
        self.message = message


class _LineFail(Exception):
    """A problem at a file line."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message


def parse_gift(text: str, *, category: str | None = None) -> GiftResult:
    """Parse GIFT text; raises GiftError listing every problem. `category` overrides the file's."""
    if not isinstance(text, str):
        raise GiftError([GiftProblem(1, _("The file is not text."))])
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    problems: list[GiftProblem] = []
    result = GiftResult()
    for number, line in enumerate(text.split("\n"), start=1):
        if _PLACEHOLDER.search(line) or "\x00" in line:
            problems.append(GiftProblem(number, _("The line contains a character not allowed.")))
    if problems:
        raise GiftError(problems)
    current = category or ""
    for start, lines in _blocks(text):
        try:
            current = _read_block(start, lines, current, category, result)
        except _LineFail as fail:
            problems.append(GiftProblem(fail.line, fail.message))
    ids = [q.idnumber for q in result.questions if q.idnumber]
    for question in result.questions:
        if question.idnumber and ids.count(question.idnumber) > 1:
            problems.append(
                GiftProblem(question.line, _("The id %(id)s is used twice.", id=question.idnumber))
            )
    if problems:
        raise GiftError(problems)
    return result


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Groups of consecutive non-blank lines, with the 1-based number of their first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 1
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _line_at(start: int, joined: str, offset: int) -> int:
    """The file line of a character offset into the escaped block text.

    Escapes never span a newline, so counting newlines in the escaped text is exact.
    """
    return start + joined[: max(offset, 0)].count("\n")


def _escape(text: str) -> str:
    """Replace escape sequences by placeholders, keeping offsets of newlines intact."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in ESCAPES:
            out.append(ESCAPES[text[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _plain(text: str) -> str:
    """Placeholders back to characters, trimmed."""
    return text.translate(_UNESCAPE_TABLE).strip()


def _read_block(
    start: int, lines: list[str], current: str, forced: str | None, result: GiftResult
) -> str:
    """Read one block into `result`; returns the category in force after it."""
    try:
        return _read_block_text(start, lines, current, forced, result)
    except _Fail as fail:
        body = ["" if line.strip().startswith("//") else line for line in lines]
        line = _line_at(start, _escape("\n".join(body)), fail.offset)
        raise _LineFail(line, fail.message) from None


def _read_block_text(
    start: int, lines: list[str], current: str, forced: str | None, result: GiftResult
) -> str:
    comments = [line.strip() for line in lines if line.strip().startswith("//")]
    body = ["" if line.strip().startswith("//") else line for line in lines]
    joined = _escape("\n".join(body))
    stripped = joined.lstrip()
    if not stripped:
        return current
    offset = len(joined) - len(stripped)
    if stripped.startswith("$CATEGORY:"):
        end = stripped.find("\n")
        name = stripped[10:] if end < 0 else stripped[10:end]
        name = _plain(name)
        if not name:
            raise _Fail(offset, _("$CATEGORY needs a category name."))
        if forced is None:
            current = "/".join(p.strip() for p in name.split("/") if p.strip())
        if end < 0 or not stripped[end:].strip():
            return current
        rest = stripped[end:]
        offset += end + (len(rest) - len(rest.lstrip()))
        stripped = rest.lstrip()
    spec = _read_question(stripped, offset)
    if spec is None:
        kind = _("description") if "{" not in stripped else _("essay")
        result.warnings.append(
            GiftProblem(
                _line_at(start, joined, offset),
                _("%(kind)s questions are not supported here; skipped.", kind=kind),
            )
        )
        return current
    spec.line = _line_at(start, joined, offset)
    spec.category = current
    _apply_comments(spec, comments)
    normalise_spec(spec)
    problems = validate_spec(spec)
    if problems:
        raise _Fail(offset, " ".join(problems))
    result.questions.append(spec)
    return current


def _apply_comments(spec: QuestionSpec, comments: list[str]) -> None:
    """Moodle's `[id:…]`/`[tag:…]` comment tokens, plus `[difficulty:…]`, `[case-sensitive]`."""
    text = "\n".join(comments)
    if match := ID_TOKEN.search(text):
        spec.idnumber = match.group(1).replace("\\]", "]").strip()
    spec.tags = [t.replace("\\]", "]").strip() for t in TAG_TOKEN.findall(text)]
    if match := DIFFICULTY_TOKEN.search(text):
        spec.difficulty = match.group(1).lower()
    spec.case_sensitive = CASE_MARK in text


def _split_format(text: str) -> tuple[str | None, str]:
    """A leading `[markdown]`/`[html]`/`[plain]`/`[moodle]` marker and the rest."""
    match = FORMAT.match(text.lstrip())
    if match:
        return match.group(1), text.lstrip()[match.end() :]
    return None, text


def _read_question(text: str, base: int) -> QuestionSpec | None:
    """One question (title, text, answer block); None for essay/description."""
    title = ""
    pos = 0
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise _Fail(base, _("The title is not closed with '::'."))
        title = _plain(text[2:end])
        pos = end + 2
    open_at = text.find("{", pos)
    close_at = text.find("}", pos)
    if open_at < 0 and close_at < 0:
        return None
    if open_at < 0:
        raise _Fail(base + close_at, _("'}' without '{' (write \\} for a literal brace)."))
    if close_at < 0:
        raise _Fail(base + open_at, _("'{' is never closed with '}'."))
    if close_at < open_at:
        raise _Fail(base + close_at, _("'}' before '{' (write \\} for a literal brace)."))
    after = text[close_at + 1 :]
    extra = min((i for i in (after.find("{"), after.find("}")) if i >= 0), default=-1)
    if extra >= 0:
        raise _Fail(
            base + close_at + 1 + extra,
            _("Only one answer block per question (write \\{ or \\} for a literal brace)."),
        )
    before = text[pos:open_at]
    stem = before + ("_____" + after if after.strip() else "")
    fmt, stem = _split_format(stem)
    answer_base = base + open_at + 1
    answers = text[open_at + 1 : close_at]
    general = ""
    gf_at = answers.rfind("####")
    if gf_at >= 0:
        general = answers[gf_at + 4 :]
        answers = answers[:gf_at]
    _gf_format, general = _split_format(general)
    lead = len(answers) - len(answers.lstrip())
    answer_base += lead
    answers = answers.strip()
    if not answers:
        return None
    spec = QuestionSpec(
        qtype=SINGLE,
        title=title,
        stem=_plain(stem),
        text_format=fmt or "moodle",
        general_feedback=_plain(general),
    )
    if not spec.title:
        spec.title = _default_title(spec.stem)
    if answers.startswith("#"):
        _read_numerical(spec, answers[1:], answer_base + 1)
    elif "~" in answers:
        _read_choices(spec, answers, answer_base)
    elif "=" in answers and "->" in answers:
        _read_matching(spec, answers, answer_base)
    else:
        word = answers.split("#", 1)[0].strip()
        if word in TF_WORDS:
            _read_truefalse(spec, answers, word)
        else:
            _read_short(spec, answers, answer_base)
    return spec


def _default_title(stem: str) -> str:
    """Moodle names an untitled question after the start of its text."""
    flat = " ".join(stem.split())
    return flat[:60] or "?"


def _pieces(text: str, base: int, markers: str) -> list[tuple[str, str, int]]:
    """Split at each marker character: (marker, piece after it, offset of the marker)."""
    found = [(i, ch) for i, ch in enumerate(text) if ch in markers]
    head = text[: found[0][0]] if found else text
    if head.strip():
        raise _Fail(
            base, _("Text before the first answer marker: %(text)s", text=_plain(head)[:40])
        )
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
        raise _Fail(offset, _("A weight must look like %(a)s or %(b)s.", a="%50%", b="%-33.3%"))
    value = float(match.group(1))
    if not -100 <= value <= 100:
        raise _Fail(offset, _("Weights must be between -100% and 100%."))
    return value, stripped[match.end() :]


def _text_and_feedback(piece: str) -> tuple[str, str]:
    text, _sep, feedback = piece.partition("#")
    fmt, text = _split_format(text)
    _ffmt, feedback = _split_format(feedback)
    return _plain(text), _plain(feedback)


def _read_choices(spec: QuestionSpec, answers: str, base: int) -> None:
    spec.qtype = SINGLE if "=" in answers else MULTI
    for marker, piece, offset in _pieces(answers, base, "~="):
        if marker == "=":
            weight = 100.0  # as Moodle: after `=`, a leading %50% is text, not a weight
        else:
            weight, piece = _weight(piece, offset, 0.0)
        text, feedback = _text_and_feedback(piece)
        if not text:
            raise _Fail(offset, _("An option has no text."))
        spec.choices.append(Choice(text=text, weight=weight, feedback=feedback))


def _read_matching(spec: QuestionSpec, answers: str, base: int) -> None:
    spec.qtype = MATCHING
    answers, base = _lead_with(answers, base, "=")
    for _marker, piece, offset in _pieces(answers, base, "="):
        if "->" not in piece:
            raise _Fail(offset, _("A matching pair needs 'left -> right'."))
        left, right = piece.split("->", 1)
        _fmt, left = _split_format(left)
        spec.pairs.append(MatchPair(left=_plain(left), right=_plain(right)))


def _read_truefalse(spec: QuestionSpec, answers: str, word: str) -> None:
    spec.qtype = TRUEFALSE
    spec.correct = TF_WORDS[word]
    bits = answers.split("#", 2)
    wrong = _plain(_split_format(bits[1])[1]) if len(bits) > 1 else ""
    right = _plain(_split_format(bits[2])[1]) if len(bits) > 2 else ""
    # Moodle: the first feedback is for a wrong answer, the second for a right one.
    if spec.correct:
        spec.feedback_true, spec.feedback_false = right, wrong
    else:
        spec.feedback_true, spec.feedback_false = wrong, right


def _read_short(spec: QuestionSpec, answers: str, base: int) -> None:
    spec.qtype = SHORTANSWER
    answers, base = _lead_with(answers, base, "=")
    for _marker, piece, offset in _pieces(answers, base, "="):
        weight, piece = _weight(piece, offset, 100.0)
        text, feedback = _text_and_feedback(piece)
        if not text:
            raise _Fail(offset, _("An accepted answer is empty."))
        spec.answers.append(TextAnswer(text=text, weight=weight, feedback=feedback))


def _number(text: str, offset: int) -> float:
    cleaned = _plain(text)
    try:
        value = float(cleaned)
    except ValueError:
        raise _Fail(offset, _("Not a number: %(text)s", text=cleaned[:40])) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise _Fail(offset, _("Not a number: %(text)s", text=cleaned[:40]))
    return value


def _read_numerical(spec: QuestionSpec, answers: str, base: int) -> None:
    spec.qtype = NUMERICAL
    wrong_at = answers.find("~")
    if wrong_at >= 0:
        wrong = answers[wrong_at + 1 :]
        answers = answers[:wrong_at]
        spec.wrong_feedback = _plain(_split_format(wrong.partition("#")[2])[1])
    stripped = answers.lstrip()
    base += len(answers) - len(stripped)
    if stripped:
        stripped, base = _lead_with(stripped, base, "=")  # `{#10:0}`: one answer, no `=`
    if not stripped.strip():
        raise _Fail(base, _("A numerical question needs at least one accepted number."))
    for _marker, piece, offset in _pieces(stripped, base, "="):
        weight, piece = _weight(piece, offset, 100.0)
        value_text, _sep, feedback = piece.partition("#")
        value_text = value_text.strip()
        feedback = _plain(_split_format(feedback)[1])
        if not value_text:
            raise _Fail(offset, _("A numerical answer has no number."))
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


__all__ = [
    "GiftError",
    "GiftProblem",
    "GiftResult",
    "MATCHING",
    "MULTI",
    "NUMERICAL",
    "SHORTANSWER",
    "SINGLE",
    "TRUEFALSE",
    "parse_gift",
]
