"""Question texts to safe HTML, honouring the GIFT text format of each question.

A question's texts never change once written (versions are immutable), and the same stems and
options are rendered on every attempt page, review and bank page: each text's HTML is kept per
process, keyed by the text itself, its format and the language (callout titles are translated),
so a text edited into a new version is simply a new key.
"""

import functools

from markupsafe import Markup, escape

from trainer.core.i18n import current_language
from trainer.core.markdown import render_markdown, sanitise_html


def render_text(text: str, text_format: str = "moodle") -> Markup:
    """A stem or feedback as sanitised HTML: Markdown (also Moodle's auto-format), HTML, plain."""
    return _rendered(text, text_format, current_language())


def render_inline(text: str, text_format: str = "moodle") -> Markup:
    """An option label: like `render_text` without the wrapping paragraph."""
    return _inline(text, text_format, current_language())


@functools.lru_cache(maxsize=4096)
def _rendered(text: str, text_format: str, _language: str) -> Markup:
    if text_format == "html":
        return Markup(sanitise_html(text))  # noqa: S704 - allow-list sanitised
    if text_format == "plain":
        return Markup("<p>") + Markup("<br>").join(escape(text).split("\n")) + Markup("</p>")
    return render_markdown(text)


@functools.lru_cache(maxsize=4096)
def _inline(text: str, text_format: str, language: str) -> Markup:
    html = str(_rendered(text, text_format, language)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)  # noqa: S704 - produced by _rendered above
