"""The GIFT parser over every construct Moodle documents, and malformed input by line."""

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.quizzes.gift import GiftError, parse_gift


def one(text: str):
    result = parse_gift(text)
    assert len(result.questions) == 1, result
    return result.questions[0]


def problems(text: str) -> list[str]:
    with pytest.raises(GiftError) as caught:
        parse_gift(text)
    return [str(p) for p in caught.value.problems]


def test_single_choice_with_title_feedback_and_general_feedback():
    q = one("::Q1 验证码::客服应该？{\n=拒绝#对\n~照做#错\n####验证码不告诉任何人\n}")
    assert q.qtype == "single"
    assert q.title == "Q1 验证码" and q.stem == "客服应该？"
    assert [(c.text, c.weight, c.feedback) for c in q.choices] == [
        ("拒绝", 100, "对"),
        ("照做", 0, "错"),
    ]
    assert q.general_feedback == "验证码不告诉任何人"


def test_multiple_choice_weights_including_negative():
    q = one("::M::选出诈骗特征{~%50%共享屏幕 ~%50%索要验证码 ~%-100%原路退款#不是}")
    assert q.qtype == "multi"
    assert [c.weight for c in q.choices] == [50, 50, -100]
    assert q.choices[2].feedback == "不是"


def test_decimal_weights_add_up_within_rounding():
    q = one("Q{~%33.33333%a ~%33.33333%b ~%33.33333%c ~d}")
    assert q.qtype == "multi" and q.choices[0].weight == pytest.approx(33.33333)


def test_single_choice_may_carry_partial_credit():
    q = one("Q{=right ~%50%half ~wrong}")
    assert [c.weight for c in q.choices] == [100, 50, 0]


@pytest.mark.parametrize(
    ("body", "correct"), [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)]
)
def test_true_false_words(body, correct):
    q = one(f"::TF::说法{{{body}}}")
    assert q.qtype == "truefalse" and q.correct is correct


def test_true_false_feedback_first_is_for_wrong_answers():
    q = one("说法正确{T#答错了#答对了####总体}")
    assert (q.feedback_true, q.feedback_false) == ("答对了", "答错了")
    assert q.general_feedback == "总体"
    q = one("说法错误{FALSE#答错了#答对了}")
    assert (q.feedback_true, q.feedback_false) == ("答错了", "答对了")


def test_matching_pairs():
    q = one("::配对::匹配{\n=已签收未收到 -> 物流\n=重复扣款 -> 财务\n= -> 法务\n}")
    assert q.qtype == "matching"
    assert [(p.left, p.right) for p in q.pairs] == [
        ("已签收未收到", "物流"),
        ("重复扣款", "财务"),
        ("", "法务"),
    ]


def test_short_answer_several_answers_and_weights():
    q = one("凭证叫什么？{=提货码#对 =%50%取货码#接近 =自提码}")
    assert q.qtype == "shortanswer"
    assert [(a.text, a.weight) for a in q.answers] == [
        ("提货码", 100),
        ("取货码", 50),
        ("自提码", 100),
    ]
    assert q.case_sensitive is False


def test_short_answer_without_equals_sign_as_moodle():
    q = one("Who's buried in Grant's tomb?{no one}")
    assert q.qtype == "shortanswer" and q.answers[0].text == "no one"


def test_numerical_tolerance_range_and_several_answers():
    q = one("::N::几秒？{#30:0#对 =%50%25:5#接近 ~#不对####首响 30 秒}")
    assert q.qtype == "numerical"
    assert [(n.value, n.tolerance, n.weight) for n in q.numbers] == [(30, 0, 100), (25, 5, 50)]
    assert q.wrong_feedback == "不对" and q.general_feedback == "首响 30 秒"
    q = one("Q{#270..330#对}")
    assert (q.numbers[0].low, q.numbers[0].high) == (270, 330)
    q = one("Q{#\n=-5..-1\n=%25%2\n}")
    assert q.numbers[0].bounds() == (-5, -1) and q.numbers[1].weight == 25


def test_category_applies_until_the_next_one():
    result = parse_gift("$CATEGORY: a/b\n\nQ1{T}\n\n$CATEGORY: c\n\nQ2{F}\n\nQ3{T}")
    assert [q.category for q in result.questions] == ["a/b", "c", "c"]


def test_category_option_overrides_the_file():
    result = parse_gift("$CATEGORY: a/b\n\nQ1{T}", category="x/y")
    assert result.questions[0].category == "x/y"


def test_comments_are_dropped_and_carry_id_tags_difficulty():
    q = one(
        "// 普通注释\n// [id:CP-1] [tag:反诈] [tag:验证码] [difficulty:hard] [case-sensitive]\n"
        "::T::问题{=Abc}"
    )
    assert q.idnumber == "CP-1" and q.tags == ["反诈", "验证码"]
    assert q.difficulty == "hard" and q.case_sensitive is True
    assert "注释" not in q.stem


@pytest.mark.parametrize("fmt", ["markdown", "html", "plain", "moodle"])
def test_text_formats(fmt):
    q = one(f"::T::[{fmt}]**粗体**{{T}}")
    assert q.text_format == fmt and q.stem == "**粗体**"


def test_unmarked_text_is_moodle_format():
    assert one("Q{T}").text_format == "moodle"


def test_escapes():
    q = one(r"::a\:b::1 \= 1\, \{x\} \~ \# \\ 行\n二{=c\#d\=e ~f\~g\:h\}}")
    assert q.title == "a:b"
    assert q.stem == "1 = 1\\, {x} ~ # \\ 行\n二"
    assert [c.text for c in q.choices] == ["c#d=e", "f~g:h}"]


def test_missing_word_format():
    q = one("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert q.stem == "Grant is _____ in Grant's tomb."


def test_untitled_question_gets_its_text_as_title():
    assert one("顾客说什么都要核实吗？{T}").title == "顾客说什么都要核实吗？"


def test_blank_lines_separate_questions_and_windows_newlines():
    result = parse_gift("Q1{T}\r\n\r\n   \r\nQ2{F}\r\n")
    assert [q.stem for q in result.questions] == ["Q1", "Q2"]


def test_essay_and_description_are_skipped_with_their_line():
    result = parse_gift("Q1{T}\n\n::E::写一段话{}\n\n::D::只是说明\n\nQ2{F}")
    assert [q.stem for q in result.questions] == ["Q1", "Q2"]
    assert [(w.line, "essay" in w.message) for w in result.warnings] == [(3, True), (5, False)]
    assert "description" in result.warnings[1].message


def test_essay_with_only_general_feedback_is_skipped():
    result = parse_gift("Q{####反馈}")
    assert result.questions == [] and result.warnings[0].line == 1


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Q1{T}\n\n::bad::no close{=a ~b", 3, "never closed"),
        ("Q1{T}\n\nQ2 a } b", 3, "'}'"),
        ("Q1{T}\n\n::unclosed title{T}", 3, "title"),
        ("Q{\n=a\n~b\n~%abc%c\n}", 4, "weight"),
        ("Q{\n~%150%a\n=b\n}", 2, "between"),
        ("Q{\n=a -> x\n=b\n}", 3, "left -> right"),
        ("Q{#\n=abc\n}", 2, "Not a number"),
        ("Q{~a ~b}", 1, "100%"),
        ("Q{~%50%a ~%30%b}", 1, "add up to 100"),
        ("Q{=a}{=b}", 1, "one answer block"),
        ("Q{stray ~a =b}", 1, "before the first"),
        ("// c\n// c\nQ{=a ~%5x%b}", 3, "weight"),
        ("Q{=a =b}\n\n\nX{#1..x}", 4, "Not a number"),
        ("$CATEGORY:\n\nQ{T}", 1, "category"),
        ("Q{= -> a}", 1, "two pairs"),
    ],
)
def test_malformed_input_is_reported_with_its_line(text, line, words):
    found = problems(text)
    assert any(p.startswith(f"line {line}:") and words.lower() in p.lower() for p in found), found


def test_every_problem_is_reported_and_nothing_is_returned():
    found = problems("Q1{~a ~b}\n\nQ2{T}\n\nQ3{=a")
    assert [p.split(":")[0] for p in found] == ["line 1", "line 5"]


def test_duplicate_ids_are_refused():
    found = problems("// [id:X]\nQ1{T}\n\n// [id:X]\nQ2{F}")
    assert found and all("X" in p for p in found)


def test_line_numbers_count_escapes_and_comment_lines():
    text = "// a comment\n\\{ not a brace \\}\n::T::\\:\\: text {\n=a\n~b\n~%x%c\n}"
    assert problems(text)[0].startswith("line 6:")


def test_reserved_private_characters_are_refused():
    assert problems("Q\ufdd2{T}")[0].startswith("line 1:")


def test_the_shipped_banks_parse(app):
    from pathlib import Path

    root = Path(app.config["CONTENT_ROOT"]) / "courses"
    total = 0
    for path in sorted(root.glob("*/questions.gift")):
        result = parse_gift(path.read_text(encoding="utf-8"))
        assert result.warnings == []
        total += len(result.questions)
    assert total >= 80


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_raises_only_gift_error(text):
    try:
        parse_gift(text)
    except GiftError as error:
        assert all(p.line >= 1 for p in error.problems)


GIFT_ALPHABET = st.sampled_from(list("{}=~#:%->.\\\n $[]/ 0123456789abcTF中文"))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=GIFT_ALPHABET, max_size=80))
def test_gift_like_text_raises_only_gift_error(text):
    with contextlib.suppress(GiftError):
        parse_gift(text)
