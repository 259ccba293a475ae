"""Question texts to safe HTML, honouring the GIFT text format of each question."""

from markupsafe import Markup, escape

from trainer.core.markdown import render_markdown, sanitise_html


def render_text(text: str, text_format: str = "moodle") -> Markup:
    """A stem or feedback as sanitised HTML: Markdown (also Moodle's auto-format), HTML, plain."""
    if text_format == "html":
        return Markup(sanitise_html(text))  # noqa: S704 - allow-list sanitised
    if text_format == "plain":
        return Markup("<p>") + Markup("<br>").join(escape(text).split("\n")) + Markup("</p>")
    return render_markdown(text)


def render_inline(text: str, text_format: str = "moodle") -> Markup:
    """An option label: like `render_text` without the wrapping paragraph."""
    html = str(render_text(text, text_format)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)  # noqa: S704 - produced by render_text above
