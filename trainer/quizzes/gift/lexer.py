"""GIFT lexing: escapes, format markers and the error raised at a character offset."""

import re

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
PLACEHOLDER = re.compile("[\ufdd0-\ufdd7]")
WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
FORMAT = re.compile(r"^\[(moodle|markdown|html|plain)\]")
TF_WORDS = {"T": True, "TRUE": True, "F": False, "FALSE": False}


class Fail(Exception):
    """A problem at a character offset into the (escaped) block text."""

    def __init__(self, offset: int, message: str) -> None:
        self.offset = offset
        self.message = message


def escape(text: str) -> str:
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


def plain(text: str) -> str:
    """Placeholders back to characters, trimmed."""
    return text.translate(_UNESCAPE_TABLE).strip()


def split_format(text: str) -> tuple[str | None, str]:
    """A leading `[markdown]`/`[html]`/`[plain]`/`[moodle]` marker and the rest."""
    match = FORMAT.match(text.lstrip())
    if match:
        return match.group(1), text.lstrip()[match.end() :]
    return None, text
