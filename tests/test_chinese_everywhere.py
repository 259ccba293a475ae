"""zh_CN everywhere: walk every GET page as each role on the demo data, in Simplified Chinese,
and fail on visible text that is still an English source string of a catalogue, and on ASCII
identifiers (slugs, enum values, snake_case keys) where a person reads.

The pages come from the url map (as in test_get_writes: placeholders plus real ids and slugs from
the demo), so new pages are walked without editing this file. Visible text is the text of the
body outside <script>/<style>/<template> plus the attributes people read (placeholder, title,
aria-label, alt, and the value of buttons).

What is meant to be read as it is, is marked so in the HTML and skipped here: `translate="no"`
(the HTML attribute for "do not translate": codes and keys a person copies or types), `<code>`,
`<kbd>`, and text in another language declared with `lang` (the certificate's bilingual title,
the language switch). Codes in capitals (question codes, certificate codes, UTF-8) are names.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import PASSWORD, login
from tests.test_get_writes import _candidates, _real_urls
from tests.test_permissions import _rules, _url_for_rule
from trainer.accounts.services import get_user_by_email
from trainer.core.auth import ROLES

PACKAGE = Path(__file__).resolve().parents[1] / "trainer"
DEMO = {
    "agent": ("agent@demo.trainer", "Learn-2-Serve-2026"),
    "trainer": ("trainer@demo.trainer", "Teach-Well-2026"),
    "manager": ("manager@demo.trainer", "Lead-Team-2026"),
    "admin": ("admin@demo.trainer", "Keep-Safe-2026"),
}
READ_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
SKIP_TAGS = {"script", "style", "template", "code", "pre", "textarea", "kbd", "samp"}
# Words and codes Chinese customer-service staff read as they are: units, standards, product
# and file-format names, platform names, and the app's own acronyms.
ALLOWED_WORDS = {
    "ai",
    "api",
    "csv",
    "yaml",
    "gift",
    "pdf",
    "png",
    "jpg",
    "kpi",
    "okr",
    "okrs",
    "qa",
    "id",
    "url",
    "https",
    "http",
    "sse",
    "llm",
    "totp",
    "utc",
    "gmv",
    "sku",
    "app",
    "ok",
    "vs",
    "min",
    "ms",
    "kb",
    "mb",
    "px",
    "cny",
    "rmb",
    "json",
    "openai",
    "kappa",
    "html",
    "markdown",
    "zip",
    "wechat",
    "qq",
    "12315",
    "etc",
    "emoji",
    "cot",
    "ip",
    "sla",
    "faq",
    "nps",
    "csat",
    "fcr",
    "aht",
    "frt",
    "art",
}
# A token that is a slug or key: ASCII letters/digits joined by -, _ or . (not a number, not an
# e-mail address, not a file size like 2.5); or a lone lowercase English word of 3+ letters.
IDENTIFIER = re.compile(
    r"(?<![A-Za-z0-9_@.])([A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)+|[a-z]{3,})(?![A-Za-z0-9_@])"
)
EMAIL = re.compile(r"\S+@\S+")
URL = re.compile(r"https?://\S+|/[\w\-/.?=&%]+")
# Syntax a person types, quoted in help text: `commands`, “::: markers”, folders/ and file.names.
SYNTAX = re.compile(
    r"`[^`]*`|:::\s*\w+|[\w\-]+(?:/[\w\-]+)*/(?=[\s，。、）)]|$)|[\w\-]+\.(?:md|yaml|zip)"
)


VOID_TAGS = {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr", "area", "base"}


# Pages that still show raw keys or English, with why; owned by other work in flight. The test
# fails when one of them is fixed (take it off the list) and on any page not listed here.
KNOWN_GAPS: dict[str, str] = {}


class VisibleText(HTMLParser):
    """Collects the text a person reads on a page (body only)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: does it start a skipped subtree?
        self.skip = 0
        self.in_body = False
        self.texts: list[str] = []

    def _skips(self, tag: str, values: dict) -> bool:
        lang = values.get("lang")
        return (
            tag in SKIP_TAGS
            or values.get("translate") == "no"
            or (lang is not None and not lang.lower().startswith("zh"))
        )

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
        values = dict(attrs)
        if tag == "html":
            return
        skips = self._skips(tag, values)
        if tag not in VOID_TAGS:
            self.stack.append(skips)
            self.skip += skips
        if not self.in_body or self.skip or skips:
            return
        for name in READ_ATTRIBUTES & values.keys():
            self.texts.append(values[name] or "")
        if tag == "input" and values.get("type") in ("submit", "button"):
            self.texts.append(values.get("value") or "")

    def handle_endtag(self, tag):
        if tag in VOID_TAGS or tag == "html" or not self.stack:
            return
        self.skip -= self.stack.pop()

    def handle_data(self, data):
        if self.in_body and not self.skip and data.strip():
            self.texts.append(data)


def _english_sources() -> tuple[set[str], re.Pattern]:
    """English msgids whose Chinese translation differs: exact strings, and the format strings
    as one pattern (one alternation matches each text in one pass, not once per msgid)."""
    exact, patterns = set(), []
    for po in PACKAGE.glob("**/translations/zh_Hans_CN/LC_MESSAGES/messages.po"):
        with po.open("rb") as fh:
            for message in read_po(fh):
                msgid = message.id if isinstance(message.id, str) else (message.id or [""])[0]
                string = message.string if isinstance(message.string, str) else None
                if not msgid or not re.search(r"[A-Za-z]{2}", msgid) or string == msgid:
                    continue
                if "%(" in msgid:
                    parts = re.split(r"%\(\w+\)[sdif]|%\(\w+\)\.\d+f", msgid)
                    if sum(len(p.strip()) for p in parts) >= 6:
                        pattern = ".+?".join(re.escape(p) for p in parts)
                        patterns.append(rf"(?:^\s*{pattern}\s*$)")
                else:
                    exact.add(msgid.strip())
    return exact, re.compile("|".join(patterns) or r"(?!)")


def _problems(html: str, exact: set[str], formats: re.Pattern) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for text in parser.texts:
        clean = " ".join(text.split())
        if clean in exact or formats.match(clean):
            found.append(f"untranslated: {clean!r}")
            continue
        readable = SYNTAX.sub(" ", URL.sub(" ", EMAIL.sub(" ", clean)))
        for token in IDENTIFIER.findall(readable):
            if token.lower() not in ALLOWED_WORDS and re.search(r"[a-z]", token):
                found.append(f"identifier {token!r}")
    return found


def _pages(app):
    candidates = _candidates(app)
    for rule in _rules(app):
        access = app.view_functions[rule.endpoint]._access
        if "GET" not in rule.methods or access == "token" or rule.endpoint == "accounts.logout":
            continue
        for url in dict.fromkeys([_url_for_rule(rule), *_real_urls(rule, candidates)]):
            yield rule.endpoint, url


@pytest.mark.seeded("content sync", "seed-demo")
@pytest.mark.parametrize("role", ROLES)
def test_every_page_reads_in_chinese(app, role):
    email, password = DEMO.get(role, (None, PASSWORD))
    user = get_user_by_email(email)
    client = app.test_client()
    login(client, user, password)
    exact, formats = _english_sources()
    found: dict[str, set[str]] = {}
    read: set[str] = set()
    for endpoint, url in _pages(app):
        response = client.get(url, headers={"Accept-Language": "zh-CN"})
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        read.add(endpoint)
        for problem in _problems(response.get_data(as_text=True), exact, formats):
            found.setdefault(endpoint, set()).add(problem)
    assert len(read) > 10
    unexpected = {e: sorted(p)[:12] for e, p in found.items() if e not in KNOWN_GAPS}
    report = "\n".join(f"{e}: {'; '.join(p)}" for e, p in sorted(unexpected.items()))
    assert unexpected == {}, "\n" + report
    stale = [e for e in KNOWN_GAPS if e in read and e not in found]
    assert stale == [], f"fixed, so take them off KNOWN_GAPS: {stale}"
