"""Scoring maths (Zendesk QA / MaestroQA convention), the offline judge and calibration stats."""

import pytest

from trainer.roleplay.calibration import quadratic_weighted_kappa
from trainer.roleplay.grading import compute_total, fraction, item_failed


def _item(score, scale=5, weight=1, critical=False):
    low, high = (0, 1) if scale == "pass_fail" else (1, scale)
    return {"score": score, "scale": scale, "weight": weight, "critical": critical,
            "min": low, "max": high}  # fmt: skip


@pytest.mark.parametrize(
    ("score", "scale", "expected"),
    [(1, 5, 0.0), (3, 5, 0.5), (5, 5, 1.0), (2, 3, 0.5), (2, 4, 1 / 3), (0, "pass_fail", 0.0),
     (1, "pass_fail", 1.0), (None, 5, None)],
)  # fmt: skip
def test_item_fraction(score, scale, expected):
    result = fraction(_item(score, scale))
    assert result == pytest.approx(expected) if expected is not None else result is None


def test_total_is_the_weighted_mean_of_applicable_items():
    items = [_item(5, weight=2), _item(1, weight=1), _item(1, "pass_fail", weight=1)]
    assert compute_total(items, 70) == (75.0, True, False)


def test_not_applicable_items_are_left_out():
    items = [_item(5), _item(None, weight=10)]
    assert compute_total(items, 70) == (100.0, True, False)


def test_a_failed_critical_item_sets_the_total_to_zero():
    items = [_item(5, weight=10), _item(0, "pass_fail", critical=True)]
    assert compute_total(items, 50) == (0.0, False, True)


def test_a_passed_critical_item_does_not():
    items = [_item(5, weight=1), _item(1, "pass_fail", critical=True)]
    assert compute_total(items, 50) == (100.0, True, False)


def test_below_the_pass_mark_fails():
    assert compute_total([_item(3)], 60) == (50.0, False, False)


def test_failing_means_below_the_middle_of_the_scale():
    assert item_failed(_item(2, 5)) and not item_failed(_item(3, 5))
    assert item_failed(_item(0, "pass_fail")) and not item_failed(_item(None, 5))


def test_no_applicable_items_scores_zero():
    assert compute_total([_item(None)], 0) == (0, True, False)


def test_quadratic_weighted_kappa_known_values():
    # Perfect agreement.
    assert quadratic_weighted_kappa([(1, 1), (2, 2), (3, 3)], 1, 3) == pytest.approx(1.0)
    # Complete reversal on a 3-point scale.
    assert quadratic_weighted_kappa([(1, 3), (3, 1)], 1, 3) == pytest.approx(-1.0)
    # Worked example: O = [[2,1],[0,1]] on pass/fail → kappa = 1 - 1/(4*... ) computed by hand:
    # rows (3,1), cols (2,2); E_off-diagonal = 3*2/4 + 1*2/4 = 2; observed off = 1 → 1 - 1/2.
    pairs = [(0, 0), (0, 0), (0, 1), (1, 1)]
    assert quadratic_weighted_kappa(pairs, 0, 1) == pytest.approx(0.5)
    # Everyone used one category: undefined.
    assert quadratic_weighted_kappa([(2, 2), (2, 2)], 1, 3) is None
    assert quadratic_weighted_kappa([], 1, 5) is None
