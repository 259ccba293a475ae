"""Every user-facing string is in its feature's catalogue and translated to Simplified Chinese."""

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[2] / "trainer"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def _catalogue_dirs() -> list[Path]:
    return [PACKAGE / "translations"] + sorted(PACKAGE.glob("*/translations"))


def _source_dir_of(tdir: Path) -> Path:
    return tdir.parent


def _extracted(source: Path) -> set[str]:
    feature_dirs = {p.parent.name for p in PACKAGE.glob("*/translations")}

    def keep(filename: str) -> bool:
        if source != PACKAGE:
            return True
        first = Path(filename).parts[0]
        return first not in feature_dirs

    ids = set()
    for filename, _lineno, message, _comments, context in extract_from_dir(
        str(source), METHODS, keywords=KEYWORDS, callback=None
    ):
        if not keep(filename):
            continue
        ids.add((context, message if isinstance(message, str) else message[0]))
    return ids


@pytest.mark.parametrize("tdir", _catalogue_dirs(), ids=lambda p: p.parent.name)
def test_catalogue_is_complete_and_translated(tdir):
    po = tdir / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
    assert po.exists(), f"missing catalogue {po}; run `flask translate update`"
    with po.open("rb") as fh:
        catalog = read_po(fh)
    known = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}
    missing = sorted(_extracted(_source_dir_of(tdir)) - known)
    assert missing == [], f"not in {po} (run `flask translate update`): {missing[:20]}"
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == [], f"untranslated in {po}: {untranslated[:20]}"


def test_catalogues_agree_on_shared_words():
    """Catalogues are merged at run time, so one msgid must mean one thing app-wide.

    Short generic words that need different translations per feature take a context
    (`pgettext("quiz", "Review")`).
    """
    seen: dict[tuple, tuple[str, str]] = {}
    conflicts = []
    for tdir in _catalogue_dirs():
        po = tdir / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh)
        for message in catalog:
            if not message.id or not message.string:
                continue
            key = (message.context, str(message.id))
            if key in seen and seen[key][1] != message.string:
                conflicts.append(
                    f"{key[1]!r}: {seen[key]} vs ({tdir.parent.name}, {message.string!r})"
                )
            seen.setdefault(key, (tdir.parent.name, message.string))
    assert conflicts == [], "\n".join(conflicts)
