"""Markdown to safe HTML: markdown-it-py with raw HTML off, then an allow-list sanitiser.

Callouts are `::: policy|good|bad|tip` blocks. Whatever the Markdown says, only the tags and
attributes listed here reach the page (nh3/ammonia strips the rest, including scripts,
event handlers and javascript: URLs).
"""

import functools
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.container import container_plugin

from trainer.core.i18n import _, current_language

CALLOUTS = ("policy", "good", "bad", "tip")

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "div",
    "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
ALLOWED_CLASSES = {
    "div": {"callout"} | {f"callout-{name}" for name in CALLOUTS},
    "span": {"callout-title"},
}


def callout_titles() -> dict[str, str]:
    """Callout headings in the current language."""
    return {
        "policy": _("Policy"),
        "good": _("Good reply"),
        "bad": _("Bad reply"),
        "tip": _("Tip"),
    }


def _callout_renderer(name: str):
    def render(self, tokens, idx, options, env):
        if tokens[idx].nesting == 1:
            title = callout_titles()[name]
            return (
                f'<div class="callout callout-{name}"><span class="callout-title">{title}</span>\n'
            )
        return "</div>\n"

    return render


def _parser(*, breaks: bool = False) -> MarkdownIt:
    options = {"html": False, "linkify": False, "typographer": False, "breaks": breaks}
    md = MarkdownIt("commonmark", options)
    md.enable("table").enable("strikethrough")
    for name in CALLOUTS:
        md.use(container_plugin, name=name, render=_callout_renderer(name))
    return md


_MD = _parser()
_MD_BREAKS = _parser(breaks=True)  # text typed in a form: every line break stays a line break


def sanitise_html(html: str) -> str:
    """Keep only allow-listed tags, attributes, classes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(
    text: str, *, rewrite_src: Callable[[str], str] | None = None, breaks: bool = False
) -> Markup:
    """Render Markdown to sanitised HTML; `rewrite_src` maps relative image paths to URLs;
    `breaks` keeps single line breaks (for short texts typed in forms, such as shop policies)."""
    md = _MD_BREAKS if breaks else _MD
    tokens = md.parse(text or "")
    if rewrite_src is not None:
        for token in tokens:
            for child in token.children or []:
                if child.type == "image":
                    src = child.attrGet("src") or ""
                    if src and "://" not in src and not src.startswith("/"):
                        child.attrSet("src", rewrite_src(src))
    html = md.renderer.render(tokens, md.options, {})
    return Markup(sanitise_html(html))  # noqa: S704 - sanitised just above


def render_text_block(text: str) -> Markup:
    """The `markdown` template filter: a form-typed text (lists as lists, lines kept), safe."""
    return _text_block(text or "", current_language())


@functools.lru_cache(maxsize=1024)
def _text_block(text: str, _language: str) -> Markup:
    """Kept per process by the text and the language (callout titles are translated), the
    only things the HTML depends on: a quiz's or scenario's description is not parsed and
    sanitised again on every page."""
    return render_markdown(text, breaks=True)


def init_app(app) -> None:
    """Offer `{{ text|markdown }}` to every template."""
    app.jinja_env.filters["markdown"] = render_text_block
