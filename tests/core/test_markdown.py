"""Markdown: lists render as lists (shop policies too), and the output stays sanitised."""

from html.parser import HTMLParser

from trainer.core.markdown import render_markdown, render_text_block

POLICY = """- 签收之日起 7 天内支持七天无理由退货。
- 顾客可选：退货退款、换尺码。
- 不得以好评作为退货条件。
"""


def _tags(html: str) -> list[tuple[str, list]]:
    """Every start tag with its attributes, as a browser would parse them."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def test_a_policy_list_is_a_list():
    html = str(render_text_block(POLICY))
    assert html.count("<li>") == 3 and html.startswith("<ul>")
    assert "- " not in html


def test_form_text_keeps_its_line_breaks_lessons_do_not():
    text = "第一行\n第二行"
    assert "<br>" in str(render_text_block(text))
    assert "<br>" not in str(render_markdown(text))


def test_numbered_lists_and_nesting():
    html = str(render_text_block("1. 先核实订单\n2. 再说明规则\n   - 附上链接\n"))
    assert "<ol>" in html and html.count("<li>") == 3 and "<ul>" in html


def test_lists_stay_sanitised():
    text = (
        "- <script>alert(1)</script>\n"
        "- [点我](javascript:alert(1))\n"
        '- <img src=x onerror="alert(1)">\n'
        "- ![x](https://example.org/x.png)\n"
    )
    html = str(render_text_block(text))
    tags = _tags(html)
    assert [t for t, _a in tags].count("li") == 4
    assert {t for t, _a in tags} <= {"ul", "li", "img", "br"}
    attributes = [(name, value) for _t, attrs in tags for name, value in attrs]
    assert attributes == [("src", "https://example.org/x.png"), ("alt", "x")]
    assert "&lt;script&gt;" in html  # raw HTML is shown as text, never run


def test_the_template_filter_is_registered(app):
    template = app.jinja_env.from_string("{{ text|markdown }}")
    assert template.render(text="- 甲\n- 乙") == "<ul>\n<li>甲</li>\n<li>乙</li>\n</ul>\n"


def test_a_kept_text_block_still_follows_the_language(app):
    """Text blocks are kept per process by their text; a callout's title is translated, so
    the same text renders in each reader's language."""
    text = "::: policy\n不得以好评作为退货条件。\n:::"
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        english = render_text_block(text)
        assert render_text_block(text) is english  # kept, not rendered again
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        chinese = render_text_block(text)
    assert "Policy" in english
    assert "Policy" not in chinese
    assert "不得以好评作为退货条件" in chinese
