"""The writer produces GIFT that reads back to the same questions, for every type."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.quizzes.conftest import QTYPES, spec_of
from trainer.quizzes.gift import parse_gift, write_gift
from trainer.quizzes.gift.writer import escape
from trainer.quizzes.spec import (
    Choice,
    MatchPair,
    NumericAnswer,
    QuestionSpec,
    TextAnswer,
    normalise_spec,
    validate_spec,
)


def roundtrip(specs: list[QuestionSpec]) -> list[QuestionSpec]:
    back = parse_gift(write_gift(specs)).questions
    for spec in back:
        spec.line = 0
    return back


@pytest.mark.parametrize("qtype", QTYPES)
def test_every_type_reads_back_the_same(qtype):
    spec = spec_of(qtype)
    spec.idnumber, spec.tags, spec.difficulty = "ID-1", ["a", "标签"], "medium"
    spec.text_format = "markdown"
    assert roundtrip([spec]) == [spec]


def test_all_types_in_one_file_with_categories():
    specs = [spec_of(t, i, category=f"cat/{i % 2}") for i, t in enumerate(QTYPES)]
    assert roundtrip(specs) == specs


def test_shipped_banks_round_trip(app):
    from pathlib import Path

    for path in sorted((Path(app.config["CONTENT_ROOT"]) / "courses").glob("*/questions.gift")):
        specs = parse_gift(path.read_text(encoding="utf-8")).questions
        for spec in specs:
            spec.line = 0
        assert roundtrip(specs) == specs


def test_escape_covers_reserved_characters():
    assert escape("a:b#c=d~e{f}g\\h\ni") == "a\\:b\\#c\\=d\\~e\\{f\\}g\\\\h\\ni"


def test_texts_that_look_like_format_markers_survive():
    spec = spec_of("single")
    spec.stem = "[html] 不是格式"
    spec.choices[0].text = "[markdown]看起来像标记"
    spec.general_feedback = "[plain] 反馈"
    assert roundtrip([spec]) == [spec]


def test_truefalse_feedback_combinations():
    for true_fb, false_fb in [("", ""), ("a", ""), ("", "b"), ("a", "b")]:
        for correct in (True, False):
            spec = QuestionSpec(
                qtype="truefalse",
                title="t",
                stem="s",
                correct=correct,
                feedback_true=true_fb,
                feedback_false=false_fb,
                general_feedback="g",
                category="c",
            )
            assert roundtrip([spec]) == [spec]


texts = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc"),
            blacklist_characters="\ufdd0\ufdd1\ufdd2\ufdd3\ufdd4\ufdd5\ufdd6\ufdd7",
        ),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
)
weights = st.sampled_from([0.0, 25.0, 50.0, -50.0, 100.0, -100.0, 33.5])
numbers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def specs(draw):
    qtype = draw(st.sampled_from(QTYPES))
    spec = QuestionSpec(
        qtype=qtype,
        title=draw(texts),
        stem=draw(texts),
        text_format=draw(st.sampled_from(["moodle", "markdown", "html", "plain"])),
        general_feedback=draw(st.one_of(st.just(""), texts)),
        category=draw(st.sampled_from(["a", "a/b", "合规/反诈"])),
        tags=draw(st.lists(texts.filter(lambda t: "]" not in t and len(t) < 50), max_size=2)),
    )
    if qtype == "single":
        spec.choices = [Choice(draw(texts), 100, draw(st.one_of(st.just(""), texts)))]
        spec.choices += [
            Choice(draw(texts), draw(weights.filter(lambda w: w != 100)))
            for _ in range(draw(st.integers(1, 3)))
        ]
    elif qtype == "multi":
        spec.choices = [Choice(draw(texts), 50, draw(texts)), Choice(draw(texts), 50)]
        spec.choices += [Choice(draw(texts), -25.0)]
    elif qtype == "truefalse":
        spec.correct = draw(st.booleans())
        spec.feedback_true = draw(st.one_of(st.just(""), texts))
        spec.feedback_false = draw(st.one_of(st.just(""), texts))
    elif qtype == "matching":
        lefts = draw(
            st.lists(
                texts.filter(lambda t: "->" not in t and not t.endswith("-")),
                min_size=2,
                max_size=4,
                unique=True,
            )
        )
        spec.pairs = [MatchPair(left, draw(texts)) for left in lefts]
    elif qtype == "shortanswer":
        spec.answers = [
            TextAnswer(
                draw(texts.filter(lambda t: "->" not in t)),
                100,
                draw(st.one_of(st.just(""), texts)),
            )
        ]
        spec.case_sensitive = draw(st.booleans())
    else:
        value = draw(numbers)
        spec.numbers = [
            NumericAnswer(value, abs(draw(numbers)), feedback=draw(st.one_of(st.just(""), texts)))
        ]
        low = draw(numbers)
        spec.numbers.append(NumericAnswer((low + low + 10) / 2, low=low, high=low + 10, weight=50))
        spec.wrong_feedback = draw(st.one_of(st.just(""), texts))
    normalise_spec(spec)
    return spec


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(specs(), min_size=1, max_size=4))
def test_any_valid_question_round_trips(generated):
    valid = [s for s in generated if not validate_spec(s)]
    if not valid:
        return
    assert roundtrip(valid) == valid
