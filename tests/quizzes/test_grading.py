"""Grading of every question type, partial credit and negative weights included."""

import pytest

from tests.quizzes.conftest import spec_of
from trainer.quizzes.grading import grade_response, parse_number, right_answer


def test_single_choice_full_partial_wrong_and_unanswered():
    spec = spec_of("single")
    assert grade_response(spec, {"choice": 0}).fraction == 1.0
    assert grade_response(spec, {"choice": 0}).state == "correct"
    assert grade_response(spec, {"choice": 2}).fraction == 0.5
    assert grade_response(spec, {"choice": 2}).state == "partial"
    assert grade_response(spec, {"choice": 1}).fraction == 0.0
    assert grade_response(spec, None).state == "unanswered"
    assert grade_response(spec, {"choice": 99}).fraction == 0.0
    assert grade_response(spec, {"choice": 0}).feedback == ["对"]


def test_single_choice_negative_weight_is_kept():
    spec = spec_of("single")
    spec.choices[1].weight = -50
    assert grade_response(spec, {"choice": 1}).fraction == -0.5


def test_multiple_choice_partial_credit_and_negative_weights_clamped():
    spec = spec_of("multi")
    assert grade_response(spec, {"choices": [0, 1]}).fraction == 1.0
    assert grade_response(spec, {"choices": [0]}).fraction == 0.5
    assert grade_response(spec, {"choices": [0, 1, 2]}).fraction == 0.5
    assert grade_response(spec, {"choices": [0, 2]}).fraction == 0.0
    # Choosing everything cannot beat the key: 50 + 50 - 50 - 50 = 0.
    assert grade_response(spec, {"choices": [0, 1, 2, 3]}).fraction == 0.0
    assert grade_response(spec, {"choices": [2, 3]}).fraction == 0.0  # clamped at 0
    assert grade_response(spec, {"choices": [0, 0, 0]}).fraction == 0.5  # duplicates count once


def test_true_false_and_its_feedback():
    spec = spec_of("truefalse")
    assert grade_response(spec, {"value": True}).fraction == 1.0
    assert grade_response(spec, {"value": True}).feedback == ["答对"]
    assert grade_response(spec, {"value": False}).fraction == 0.0
    assert grade_response(spec, {"value": False}).feedback == ["答错"]


def test_matching_scores_each_pair():
    spec = spec_of("matching")  # 物流→快递, 退款→财务, distractor 法务
    texts = spec.choice_texts()
    right = {"0": texts.index("快递"), "1": texts.index("财务")}
    assert grade_response(spec, {"matches": right}).fraction == 1.0
    half = {"0": texts.index("快递"), "1": texts.index("法务")}
    assert grade_response(spec, {"matches": half}).fraction == 0.5
    assert grade_response(spec, {"matches": {"0": 99}}).fraction == 0.0


@pytest.mark.parametrize(
    ("typed", "fraction"),
    [
        ("提货码", 1.0),
        ("  提货码 ", 1.0),
        ("取货码", 0.5),  # wildcard 取货*
        ("取货", 0.5),
        ("核销码", 0.0),
    ],
)
def test_short_answer_wildcards_and_blanks(typed, fraction):
    assert grade_response(spec_of("shortanswer"), {"text": typed}).fraction == fraction


def test_short_answer_case_and_full_width():
    spec = spec_of("shortanswer")
    spec.answers[0].text = "OK"
    assert grade_response(spec, {"text": "ｏｋ"}).fraction == 1.0  # full-width, lower case
    spec.case_sensitive = True
    assert grade_response(spec, {"text": "ok"}).fraction == 0.0
    assert grade_response(spec, {"text": "ＯＫ"}).fraction == 1.0


@pytest.mark.parametrize(
    ("typed", "fraction"),
    [
        ("30", 1.0),
        ("30.0", 1.0),
        ("３０", 1.0),
        ("22", 0.5),
        ("20", 1 / 2),
        ("19.9", 0.0),
        ("x", 0.0),
    ],
)
def test_numerical_tolerance_and_best_answer(typed, fraction):
    grade = grade_response(spec_of("numerical"), {"text": typed})
    assert grade.fraction == pytest.approx(fraction)


def test_numerical_range_and_wrong_feedback():
    spec = spec_of("numerical")
    spec.numbers[0].low, spec.numbers[0].high = 270, 330
    assert grade_response(spec, {"text": "330"}).fraction == 1.0
    assert grade_response(spec, {"text": "331"}).feedback == ["不对"]


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,000", 1000.0), ("3,5", 3.5), ("-2.5", -2.5), ("1e3", 1000.0), ("", None), ("1,2,3", None)],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_right_answer_in_words():
    assert right_answer(spec_of("single")) == ["正确选项"]
    assert right_answer(spec_of("multi")) == ["对一", "对二"]
    assert right_answer(spec_of("matching")) == ["物流 → 快递", "退款 → 财务"]
    assert right_answer(spec_of("numerical")) == ["30"]
