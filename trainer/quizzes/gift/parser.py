"""Read Moodle GIFT text into question specs, following Moodle's qformat_gift grammar.

Questions are blocks separated by blank lines. Full-line `//` comments are dropped, but their
`[id:…]` and `[tag:…]` tokens (as Moodle reads them) and this project's `[difficulty:…]` and
`[case-sensitive]` tokens apply to the question. `\\~ \\= \\# \\{ \\} \\: \\\\ \\n` are escapes.

Where Moodle would guess (no answer marker, an odd weight, a second answer block) this stops with
a line-numbered problem, so nothing is imported mangled; essay/description questions are skipped.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from trainer.core.i18n import _
from trainer.core.problems import Problem, ProblemsError
from trainer.quizzes.gift.answers import (
    read_choices,
    read_matching,
    read_numerical,
    read_short,
    read_truefalse,
)
from trainer.quizzes.gift.lexer import (
    PLACEHOLDER,
    TF_WORDS,
    Fail,
    escape,
    plain,
    split_format,
)
from trainer.quizzes.spec import (
    MATCHING,
    MULTI,
    NUMERICAL,
    SHORTANSWER,
    SINGLE,
    TRUEFALSE,
    QuestionSpec,
    normalise_spec,
    validate_spec,
)

ID_TOKEN = re.compile(r"\[id:((?:\\]|[^\]\x00-\x1f])+)\]")
TAG_TOKEN = re.compile(r"\[tag:((?:\\]|[^\]\x00-\x1f])+)\]")
DIFFICULTY_TOKEN = re.compile(r"\[difficulty:\s*(\w+)\s*\]")
CASE_MARK = "[case-sensitive]"
MAX_QUESTIONS = 500  # per upload, refused from the block count before parsing (bankimport.py)


class GiftError(ProblemsError):
    """The GIFT text is malformed; `problems` (sorted by line) say where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(sorted(problems, key=lambda p: p.line))


@dataclass
class GiftResult:
    """The questions read from a file, and warnings about questions skipped."""

    questions: list[QuestionSpec] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


class _LineFail(Exception):
    """A problem at a file line."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message


def parse_gift(text: str, *, category: str | None = None) -> GiftResult:
    """Parse GIFT text; raises GiftError listing every problem. `category` overrides the file's."""
    if not isinstance(text, str):
        raise GiftError([Problem.at(1, _("The file is not text."))])
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    problems: list[Problem] = []
    result = GiftResult()
    for number, line in enumerate(text.split("\n"), start=1):
        if PLACEHOLDER.search(line) or "\x00" in line:
            problems.append(Problem.at(number, _("The line contains a character not allowed.")))
    if problems:
        raise GiftError(problems)
    current = category or ""
    blocks = _blocks(text)
    if len(blocks) > 2 * MAX_QUESTIONS:  # comments and $CATEGORY lines are blocks too
        raise GiftError([Problem.at(1, _too_many())])
    for start, lines in blocks:
        try:
            current = _read_block(start, lines, current, category, result)
        except _LineFail as fail:
            problems.append(Problem.at(fail.line, fail.message))
    if len(result.questions) > MAX_QUESTIONS:
        raise GiftError([Problem.at(1, _too_many())])
    ids = Counter(q.idnumber for q in result.questions if q.idnumber)
    for question in result.questions:
        if question.idnumber and ids[question.idnumber] > 1:
            problems.append(
                Problem.at(question.line, _("The id %(id)s is used twice.", id=question.idnumber))
            )
    if problems:
        raise GiftError(problems)
    return result


def _too_many() -> str:
    return _("The file has too many questions (at most %(n)d per file); split it.", n=MAX_QUESTIONS)


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


def _read_block(
    start: int, lines: list[str], current: str, forced: str | None, result: GiftResult
) -> str:
    """Read one block into `result`; returns the category in force after it."""
    try:
        return _read_block_text(start, lines, current, forced, result)
    except Fail as fail:
        body = ["" if line.strip().startswith("//") else line for line in lines]
        line = _line_at(start, escape("\n".join(body)), fail.offset)
        raise _LineFail(line, fail.message) from None


def _read_block_text(
    start: int, lines: list[str], current: str, forced: str | None, result: GiftResult
) -> str:
    comments = [line.strip() for line in lines if line.strip().startswith("//")]
    body = ["" if line.strip().startswith("//") else line for line in lines]
    joined = escape("\n".join(body))
    stripped = joined.lstrip()
    if not stripped:
        return current
    offset = len(joined) - len(stripped)
    if stripped.startswith("$CATEGORY:"):
        end = stripped.find("\n")
        name = stripped[10:] if end < 0 else stripped[10:end]
        name = plain(name)
        if not name:
            raise Fail(offset, _("$CATEGORY needs a category name."))
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
            Problem.at(
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
        raise Fail(offset, " ".join(problems))
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


def _read_question(text: str, base: int) -> QuestionSpec | None:
    """One question (title, text, answer block); None for essay/description."""
    title = ""
    pos = 0
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise Fail(base, _("The title is not closed with '::'."))
        title = plain(text[2:end])
        pos = end + 2
    open_at = text.find("{", pos)
    close_at = text.find("}", pos)
    if open_at < 0 and close_at < 0:
        return None
    if open_at < 0:
        raise Fail(base + close_at, _("'}' without '{' (write \\} for a literal brace)."))
    if close_at < 0:
        raise Fail(base + open_at, _("'{' is never closed with '}'."))
    if close_at < open_at:
        raise Fail(base + close_at, _("'}' before '{' (write \\} for a literal brace)."))
    after = text[close_at + 1 :]
    extra = min((i for i in (after.find("{"), after.find("}")) if i >= 0), default=-1)
    if extra >= 0:
        raise Fail(
            base + close_at + 1 + extra,
            _("Only one answer block per question (write \\{ or \\} for a literal brace)."),
        )
    before = text[pos:open_at]
    stem = before + ("_____" + after if after.strip() else "")
    fmt, stem = split_format(stem)
    answer_base = base + open_at + 1
    answers = text[open_at + 1 : close_at]
    general = ""
    gf_at = answers.rfind("####")
    if gf_at >= 0:
        general = answers[gf_at + 4 :]
        answers = answers[:gf_at]
    _gf_format, general = split_format(general)
    lead = len(answers) - len(answers.lstrip())
    answer_base += lead
    answers = answers.strip()
    if not answers:
        return None
    spec = QuestionSpec(
        qtype=SINGLE,
        title=title,
        stem=plain(stem),
        text_format=fmt or "moodle",
        general_feedback=plain(general),
    )
    if not spec.title:
        spec.title = _default_title(spec.stem)
    if answers.startswith("#"):
        read_numerical(spec, answers[1:], answer_base + 1)
    elif "~" in answers:
        read_choices(spec, answers, answer_base)
    elif "=" in answers and "->" in answers:
        read_matching(spec, answers, answer_base)
    else:
        word = answers.split("#", 1)[0].strip()
        if word in TF_WORDS:
            read_truefalse(spec, answers, word)
        else:
            read_short(spec, answers, answer_base)
    return spec


def _default_title(stem: str) -> str:
    """Moodle names an untitled question after the start of its text."""
    flat = " ".join(stem.split())
    return flat[:60] or "?"


__all__ = [
    "GiftError",
    "GiftResult",
    "MATCHING",
    "MULTI",
    "NUMERICAL",
    "SHORTANSWER",
    "SINGLE",
    "TRUEFALSE",
    "parse_gift",
]
