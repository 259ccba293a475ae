"""Hand-computed expectations for KPI points, statuses, composites, OKR and incentive scores."""

import pytest

from trainer.scorecards.catalogue import IncentiveFormula, shipped_catalogue
from trainer.scorecards.scoring import (
    MET,
    MISSED,
    NO_DATA,
    WATCH,
    composite_score,
    incentive_score,
    key_result_score,
    kpi_points,
    kpi_status,
    objective_score,
    okr_set_score,
)


@pytest.fixture
def kpis(app):
    """The shipped catalogue's KPIs by key."""
    return {k.key: k for k in shipped_catalogue().kpis}


@pytest.mark.parametrize(
    ("key", "value", "points"),
    [
        ("first_response_time", 45, 75.0),  # (45-90)/(30-90) = 0.75
        ("first_response_time", 30, 100.0),
        ("first_response_time", 20, 100.0),  # beating the target is capped
        ("first_response_time", 90, 0.0),
        ("first_response_time", 200, 0.0),
        ("csat", 4.3, 60.0),  # (4.3-4.0)/(4.5-4.0)
        ("resolution_rate", 91.5, 50.0),  # (91.5-85)/(98-85)
        ("repeat_contact_rate", 11.5, 50.0),  # (11.5-15)/(8-15)
        ("qa_score", 86, 80.0),  # (86-70)/(90-70)
    ],
)
def test_kpi_points(kpis, key, value, points):
    assert kpi_points(kpis[key], value) == pytest.approx(points)


def test_kpi_points_without_data(kpis):
    assert kpi_points(kpis["csat"], None) is None


@pytest.mark.parametrize(
    ("key", "value", "status"),
    [
        ("csat", 4.5, MET),
        ("csat", 4.2, WATCH),
        ("csat", 4.0, MISSED),  # exactly at the floor is a miss
        ("csat", 3.9, MISSED),
        ("csat", None, NO_DATA),
        ("first_response_time", 30, MET),
        ("first_response_time", 31, WATCH),
        ("first_response_time", 90, MISSED),
        ("repeat_contact_rate", 7.9, MET),
    ],
)
def test_kpi_status(kpis, key, value, status):
    assert kpi_status(kpis[key], value) == status


def test_composite_is_weighted_over_kpis_with_data(kpis):
    values = {
        "first_response_time": 45,  # 75 points × 20
        "response_rate": 94,  # 50 × 10
        "resolution_rate": 98,  # 100 × 20
        "csat": 4.3,  # 60 × 25
        "repeat_contact_rate": 11.5,  # 50 × 10
        # qa_score missing: its weight (15) leaves the denominator
    }
    agent_kpis = [k for k in kpis.values() if k.scope == "agent"]
    composite = composite_score(agent_kpis, values)
    assert composite.score == 70.6  # 6000 / 85 = 70.588…, rounded once to one decimal
    parts = {p.key: p for p in composite.parts}
    assert set(parts) == set(values)
    assert parts["first_response_time"].contribution == pytest.approx(17.65)
    assert sum(p.contribution for p in composite.parts) == pytest.approx(composite.score, abs=0.05)


def test_composite_without_any_data(kpis):
    assert composite_score(kpis.values(), {}).score is None


def test_key_result_scores():
    assert key_result_score(0, 50, 20) == pytest.approx(0.4)
    assert key_result_score(45, 25, 35) == pytest.approx(0.5)  # "reduce from 45 to 25"
    assert key_result_score(0, 50, 70) == 1.0  # over-achieving is capped
    assert key_result_score(10, 20, 5) == 0.0  # going backwards is 0, not negative


def test_objective_and_set_scores():
    first = [(0, 50, 20, 1), (45, 25, 35, 1)]  # 0.4 and 0.5 → 0.45
    second = [(85, 95, 95, 2), (0, 3, 0, 1)]  # (1.0×2 + 0×1) / 3 = 0.667
    assert objective_score(first) == pytest.approx(0.45)
    assert objective_score(second) == pytest.approx(2 / 3)
    assert okr_set_score([first, second]) == pytest.approx(0.56)  # (0.45 + 0.667) / 2
    assert okr_set_score([]) is None


def test_incentive_default_formula():
    result = incentive_score(80, 0.5, 1.1, IncentiveFormula())
    assert result.kpi_part == pytest.approx(56.0)  # 0.7 × 80
    assert result.okr_part == pytest.approx(15.0)  # 0.3 × 0.5 × 100
    assert result.base == pytest.approx(71.0)
    assert result.score == pytest.approx(78.1)  # × 1.1


def test_incentive_missing_okr_counts_as_zero_by_default():
    result = incentive_score(80, None, 1.0, IncentiveFormula())
    assert result.okr_part == 0
    assert result.score == pytest.approx(56.0)


def test_incentive_missing_okr_kpi_only():
    result = incentive_score(80, None, 1.25, IncentiveFormula(missing_okr="kpi_only"))
    assert result.base == pytest.approx(80.0)
    assert result.score == pytest.approx(100.0)


def test_incentive_custom_weights():
    formula = IncentiveFormula(kpi_weight=0.5, okr_weight=0.5)
    assert incentive_score(90, 0.8, 1.4, formula).score == pytest.approx(119.0)  # (45 + 40) × 1.4
