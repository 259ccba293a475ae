"""Question-bank category paths (compliance/anti-fraud-privacy) as names people read.

A category is a path a trainer types; its known segments have names in the user's language,
joined with " / ". A segment nobody named yet is shown as it was typed.
"""

from trainer.core.i18n import _l, label
from trainer.quizzes.forms import DIFFICULTY_LABELS

SEGMENT_NAMES = {
    "compliance": _l("Compliance"),
    "anti-fraud-privacy": _l("Anti-fraud and privacy"),
    "platform-rules": _l("Platform rules"),
    "returns-consumer-protection": _l("Returns and consumer protection"),
    "live-advertising-promotion": _l("Live-stream advertising and promotions"),
}


def difficulty_name(key: str | None) -> str:
    """Easy / medium / hard in the user's language."""
    return label(DIFFICULTY_LABELS, key) if key else ""


def category_name(path: str | None) -> str:
    """The readable name of a category path: each known segment named, joined with " / "."""
    if not path:
        return ""
    return " / ".join(label(SEGMENT_NAMES, part) for part in path.strip("/").split("/"))
