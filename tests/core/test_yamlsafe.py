"""The strict YAML loader every upload and editor uses."""

import pytest

from trainer.core.yamlsafe import MAX_DEPTH, YamlRefused, compose


def test_plain_documents_load():
    node, data = compose("a: 1\nb: [x, y]\n")
    assert data == {"a": 1, "b": ["x", "y"]} and node.start_mark.line == 0


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: &x [1, 2]\nb: *x\n", 1),  # anchor
        ("a: &a\n  b: *a\n", 1),  # cycle
        ("a: 1\nlol: &l [" + ",".join(["x"] * 9) + "]\nb: [*l, *l]\n", 2),  # billion-laughs seed
    ],
)
def test_anchors_and_aliases_are_refused(text, line):
    with pytest.raises(YamlRefused) as info:
        compose(text)
    assert info.value.line == line and not info.value.syntax


def test_deep_nesting_is_refused():
    with pytest.raises(YamlRefused) as info:
        compose("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5))
    assert "50" in info.value.message


def test_syntax_errors_carry_the_line():
    with pytest.raises(YamlRefused) as info:
        compose("a: 1\nb: [unclosed\nc: 2\n")
    assert info.value.syntax and info.value.line >= 2


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b"])
def test_control_characters_are_a_line_numbered_problem(char):
    with pytest.raises(YamlRefused) as info:
        compose(f"a: 1\nb: 2\nc: x{char}y\n")
    assert info.value.line == 3 and info.value.syntax
    assert "U+00" in info.value.message
