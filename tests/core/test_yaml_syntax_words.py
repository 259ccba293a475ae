"""YAML syntax errors are explained in the user's language, with the line they are on."""

import pytest
from flask_babel import force_locale

from trainer.core.yamlsafe import SYNTAX_PROBLEMS, DocumentError, load_document

CASES = [
    ("title: 标题: 副标题\n", 1, "缩进"),
    ("a:\n  b: 1\n c: 2\n", 3, "缩进"),
    ("a:\n\t- x\n", 2, "Tab"),
    ("a: [1, 2\n", 2, "[ ]"),
    ("a: {x: 1\n", 2, "{ }"),
    ("a: 'abc\n", 2, "引号"),
]


@pytest.mark.parametrize(("text", "line", "word"), CASES)
def test_common_syntax_errors_in_chinese(app, text, line, word):
    locale = force_locale("zh_Hans_CN")
    with app.test_request_context(), locale, pytest.raises(DocumentError) as raised:
        load_document(text)
    assert raised.value.syntax and raised.value.line == line
    assert word in raised.value.message
    assert not any(start in raised.value.message for start, _ in SYNTAX_PROBLEMS)


def test_unknown_problems_keep_the_parser_detail(app):
    with app.test_request_context(), force_locale("en"), pytest.raises(DocumentError) as raised:
        load_document("a: !!python/name:os.system x\n")
    assert "YAML" in raised.value.message
