"""Write question specs as GIFT that Moodle and `parse_gift` read back to the same questions."""

from collections.abc import Iterable

from trainer.quizzes.gift.lexer import FORMAT
from trainer.quizzes.spec import (
    MATCHING,
    MULTI,
    NUMERICAL,
    SHORTANSWER,
    SINGLE,
    TRUEFALSE,
    QuestionSpec,
)

RESERVED = {"\\": "\\\\", "#": "\\#", "=": "\\=", "~": "\\~", "{": "\\{", "}": "\\}", ":": "\\:"}


def escape(text: str) -> str:
    """Escape GIFT's reserved characters and turn newlines into `\\n` (as Moodle's repchar)."""
    out = "".join(RESERVED.get(ch, ch) for ch in text.replace("\r", ""))
    return out.replace("\n", "\\n")


def number(value: float) -> str:
    """A float without a needless `.0`, exact enough to read back to the same value."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def weight(value: float) -> str:
    """A weight as `%50%`."""
    return f"%{number(value)}%"


def _text(text: str, fmt: str = "moodle") -> str:
    """An answer or feedback text; one that starts like a format marker gets a real one first,
    because readers strip one leading `[format]`."""
    guard = f"[{fmt}]" if FORMAT.match(text) else ""
    return guard + escape(text)


def _stem(spec: QuestionSpec) -> str:
    marker = "" if spec.text_format == "moodle" else f"[{spec.text_format}]"
    if not marker and spec.stem.startswith("["):
        marker = "[moodle]"
    return marker + escape(spec.stem)


def _comment(spec: QuestionSpec) -> str:
    tokens = []
    if spec.idnumber:
        tokens.append(f"[id:{spec.idnumber.replace(']', chr(92) + ']')}]")
    tokens += [f"[tag:{tag.replace(']', chr(92) + ']')}]" for tag in spec.tags]
    if spec.difficulty:
        tokens.append(f"[difficulty:{spec.difficulty}]")
    if spec.case_sensitive:
        tokens.append("[case-sensitive]")
    return f"// {' '.join(tokens)}\n" if tokens else ""


def _feedback(text: str) -> str:
    return f"#{_text(text)}" if text else ""


def _answers(spec: QuestionSpec) -> list[str]:
    lines: list[str] = []
    if spec.qtype in (SINGLE, MULTI):
        for choice in spec.choices:
            if spec.qtype == SINGLE and abs(choice.weight - 100) < 1e-9:
                mark = "="
            elif choice.weight == 0 and not choice.text.startswith("%"):
                mark = "~"
            else:  # an explicit weight also keeps a text starting with % from reading as one
                mark = "~" + weight(choice.weight)
            lines.append(f"\t{mark}{_text(choice.text)}{_feedback(choice.feedback)}")
    elif spec.qtype == MATCHING:
        lines += [f"\t={_text(p.left)} -> {escape(p.right)}" for p in spec.pairs]
    elif spec.qtype == SHORTANSWER:
        for answer in spec.answers:
            full = abs(answer.weight - 100) < 1e-9 and not answer.text.startswith("%")
            mark = "=" if full else "=" + weight(answer.weight)
            lines.append(f"\t{mark}{_text(answer.text)}{_feedback(answer.feedback)}")
    elif spec.qtype == NUMERICAL:
        for answer in spec.numbers:
            if answer.is_range:
                value = f"{number(answer.low)}..{number(answer.high)}"
            elif answer.tolerance:
                value = f"{number(answer.value)}:{number(answer.tolerance)}"
            else:
                value = number(answer.value)
            mark = "=" if abs(answer.weight - 100) < 1e-9 else "=" + weight(answer.weight)
            lines.append(f"\t{mark}{value}{_feedback(answer.feedback)}")
        if spec.wrong_feedback:
            lines.append(f"\t~#{_text(spec.wrong_feedback)}")
    if spec.general_feedback:
        lines.append(f"\t####{_text(spec.general_feedback)}")
    return lines


def write_question(spec: QuestionSpec) -> str:
    """One question as a GIFT block (no trailing blank line)."""
    head = f"{_comment(spec)}::{escape(spec.title)}::{_stem(spec)}"
    if spec.qtype == TRUEFALSE:
        right, wrong = (
            (spec.feedback_true, spec.feedback_false)
            if spec.correct
            else (spec.feedback_false, spec.feedback_true)
        )
        body = "TRUE" if spec.correct else "FALSE"
        if wrong or right:
            body += f"#{_text(wrong)}"
        if right:
            body += f"#{_text(right)}"
        if spec.general_feedback:
            body += f"####{_text(spec.general_feedback)}"
        return f"{head}{{{body}}}\n"
    opener = "{#" if spec.qtype == NUMERICAL else "{"
    return head + opener + "\n" + "\n".join(_answers(spec)) + "\n}\n"


def write_gift(specs: Iterable[QuestionSpec], *, header: str = "") -> str:
    """A GIFT file: a `$CATEGORY:` line whenever the category changes, blank lines between."""
    parts: list[str] = []
    if header:
        parts.append("".join(f"// {line}\n" for line in header.splitlines()))
    current = None
    for spec in specs:
        if spec.category != current and spec.category:
            parts.append(f"$CATEGORY: {escape(spec.category)}\n")
            current = spec.category
        parts.append(write_question(spec))
    return "\n".join(parts)
