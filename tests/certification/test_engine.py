"""The certification engine on crafted agents: met, missing, lapse, notice and grace."""

import json
from datetime import timedelta

import pytest

from tests.certification.conftest import L1_COURSES, L1_QUIZZES, NOW, kpis, play, quiz_pass
from trainer.certification.engine import (
    LAPSE,
    NOTICE,
    OK,
    AgentEvidence,
    RetentionState,
    check_retention,
    evaluate,
)
from trainer.certification.ladder import SHIPPED, parse_ladder
from trainer.core import clock


@pytest.fixture
def ladder(app):
    """The shipped ladder."""
    return parse_ladder(SHIPPED.read_text(encoding="utf-8"))


def l1_ready(**overrides) -> AgentEvidence:
    """An L0 agent who meets every L1 requirement."""
    fields = {
        "user_id": 1,
        "completed_courses": {slug: NOW - timedelta(days=20) for slug in L1_COURSES},
        "quiz_passes": {slug: quiz_pass(slug) for slug in L1_QUIZZES},
        "roleplay": [play(1, 75, session_id=i) for i in range(3)],
        "kpi": kpis(),
    }
    fields.update(overrides)
    return AgentEvidence(**fields)


def _missing(evaluation) -> set[tuple[str, str]]:
    return {(c.kind, c.key) for c in evaluation.missing}


def test_new_agent_misses_everything(ladder):
    evaluation = evaluate(AgentEvidence(user_id=1), ladder, NOW)
    assert (evaluation.level, evaluation.next_level) == ("L0", "L1")
    assert not evaluation.eligible and evaluation.met == [c for c in evaluation.checks if c.met]
    missing = _missing(evaluation)
    assert {("course", s) for s in L1_COURSES} <= missing
    assert {("quiz", s) for s in L1_QUIZZES} <= missing
    assert ("roleplay_sessions", "sessions") in missing
    assert ("kpi_conversations", "conversations") in missing
    # no critical failures because there were no sessions: that one is met
    assert ("roleplay_critical", "critical_failures") not in missing


def test_everything_met_makes_the_agent_eligible(ladder):
    evaluation = evaluate(l1_ready(), ladder, NOW)
    assert evaluation.eligible
    assert evaluation.missing == []
    assert evaluation.progress == 100.0
    kinds = {c.kind for c in evaluation.checks}
    assert kinds == {
        "course",
        "quiz",
        "roleplay_sessions",
        "roleplay_critical",
        "kpi_conversations",
        "kpi",
    }
    json.dumps([c.as_dict() for c in evaluation.checks])  # the CLI prints these


def test_an_expired_quiz_pass_is_missing(ladder):
    passes = {slug: quiz_pass(slug) for slug in L1_QUIZZES}
    passes["anti-fraud-privacy"] = quiz_pass("anti-fraud-privacy", days_ago=200, valid_days=180)
    evaluation = evaluate(l1_ready(quiz_passes=passes), ladder, NOW)
    (missing,) = evaluation.missing
    assert (missing.kind, missing.key, missing.detail) == (
        "quiz",
        "anti-fraud-privacy",
        {"expired": True},
    )
    assert missing.actual["expires_at"].startswith("2026-10-31")  # 200 - 180 = 20 days ago


def test_a_pass_that_never_expires_is_valid(ladder):
    passes = {slug: quiz_pass(slug, days_ago=900, valid_days=None) for slug in L1_QUIZZES}
    assert evaluate(l1_ready(quiz_passes=passes), ladder, NOW).eligible


def test_roleplay_needs_enough_good_sessions_and_no_recent_critical_failure(ladder):
    # Three sessions, but the newest had a critical failure: it does not count, and it blocks.
    plays = [play(2, 95, critical=True, session_id=9)] + [
        play(1, 75, session_id=i) for i in range(2)
    ]
    evaluation = evaluate(l1_ready(roleplay=plays), ladder, NOW)
    checks = {c.kind: c for c in evaluation.checks}
    assert (checks["roleplay_sessions"].actual, checks["roleplay_sessions"].met) == (2, False)
    assert (checks["roleplay_critical"].actual, checks["roleplay_critical"].met) == (1, False)
    # A critical failure older than the last three sessions no longer blocks.
    plays = [play(1, 75, session_id=i) for i in range(3)] + [
        play(2, 20, critical=True, days_ago=30)
    ]
    assert evaluate(l1_ready(roleplay=plays), ladder, NOW).eligible
    # Easy sessions with low scores do not count.
    plays = [play(1, 65, session_id=i) for i in range(5)]
    assert ("roleplay_sessions", "sessions") in _missing(
        evaluate(l1_ready(roleplay=plays), ladder, NOW)
    )


def test_kpi_thresholds_and_minimum_conversations(ladder):
    evaluation = evaluate(
        l1_ready(kpi=kpis(conversations=150, first_response_time=50.0)), ladder, NOW
    )
    checks = {(c.kind, c.key): c for c in evaluation.checks}
    assert checks[("kpi_conversations", "conversations")].actual == 150
    assert not checks[("kpi_conversations", "conversations")].met
    frt = checks[("kpi", "first_response_time")]
    assert (frt.met, frt.actual, frt.required, frt.detail["direction"]) == (
        False,
        50.0,
        45.0,
        "lower",
    )
    assert checks[("kpi", "csat")].met
    missing_value = evaluate(l1_ready(kpi=kpis(csat=None)), ladder, NOW)
    assert ("kpi", "csat") in _missing(missing_value)


def test_held_level_moves_the_target_up(ladder):
    evidence = l1_ready(held={"L1": NOW - timedelta(days=60)}, okr_score=0.65)
    evaluation = evaluate(evidence, ladder, NOW)
    assert (evaluation.level, evaluation.next_level) == ("L1", "L2")
    missing = _missing(evaluation)
    # L2 adds courses, a quiz, harder role-plays; the inherited L1 items are still checked
    assert {
        ("course", "live-peak"),
        ("course", "complaints"),
        ("quiz", "live-advertising-promotion"),
    } <= missing
    assert not any(kind == "course" and key in L1_COURSES for kind, key in missing)
    assert ("okr", "okr_score") not in missing  # 0.65 ≥ 0.6


def test_top_level_needs_an_endorsement(ladder):
    held = {"L1": NOW, "L2": NOW}
    evaluation = evaluate(AgentEvidence(user_id=1, held=held), ladder, NOW)
    assert evaluation.next_level == "L3"
    assert ("endorsement", "L3") in _missing(evaluation)
    endorsed = evaluate(
        AgentEvidence(user_id=1, held=held, endorsements=frozenset({"L3"})), ladder, NOW
    )
    assert ("endorsement", "L3") not in _missing(endorsed)


def test_top_of_the_ladder(ladder):
    evaluation = evaluate(
        AgentEvidence(user_id=1, held={"L1": NOW, "L2": NOW, "L3": NOW}), ladder, NOW
    )
    assert (evaluation.level, evaluation.next_level, evaluation.checks) == ("L3", None, ())
    assert not evaluation.eligible


# ---------------------------------------------------------------- keeping a level


def test_retention_ok(ladder):
    result = check_retention(l1_ready(held={"L1": NOW}), ladder, "L1", RetentionState(), NOW)
    assert result.status == OK and result.problems == ()


def test_notice_before_a_required_pass_expires(ladder):
    passes = {slug: quiz_pass(slug) for slug in L1_QUIZZES}
    passes["platform-rules"] = quiz_pass(
        "platform-rules", days_ago=170, valid_days=180
    )  # 10 days left
    result = check_retention(l1_ready(quiz_passes=passes), ladder, "L1", RetentionState(), NOW)
    assert result.status == NOTICE
    assert result.lapse_due == max(
        passes["platform-rules"].expires_at, clock.start_of_day_after(NOW, 14)
    )


def test_lapse_when_the_pass_expired_after_the_notice(ladder):
    passes = {slug: quiz_pass(slug) for slug in L1_QUIZZES}
    passes["platform-rules"] = quiz_pass("platform-rules", days_ago=181, valid_days=180)
    noticed = RetentionState(noticed_at=NOW - timedelta(days=15))
    result = check_retention(l1_ready(quiz_passes=passes), ladder, "L1", noticed, NOW)
    assert result.status == LAPSE
    assert [(p.kind, p.key) for p in result.problems] == [("quiz", "platform-rules")]


def test_an_expired_pass_without_notice_gets_notice_first(ladder):
    passes = {slug: quiz_pass(slug) for slug in L1_QUIZZES}
    passes["platform-rules"] = quiz_pass("platform-rules", days_ago=181, valid_days=180)
    result = check_retention(l1_ready(quiz_passes=passes), ladder, "L1", RetentionState(), NOW)
    assert result.status == NOTICE
    assert result.lapse_due == clock.start_of_day_after(NOW, 14)


def test_kpi_below_floor_lapses_only_after_the_grace_period(ladder):
    weak = l1_ready(kpi=kpis(csat=3.8))  # keep floor for L1 is 4.0
    first = check_retention(weak, ladder, "L1", RetentionState(), NOW)
    assert (first.status, first.kpi_below, first.lapse_due) == (
        NOTICE,
        True,
        clock.start_of_day_after(NOW, 14),
    )
    within = RetentionState(
        noticed_at=NOW - timedelta(days=10), kpi_below_since=NOW - timedelta(days=10)
    )
    assert check_retention(weak, ladder, "L1", within, NOW).status == NOTICE
    past = RetentionState(
        noticed_at=NOW - timedelta(days=15), kpi_below_since=NOW - timedelta(days=15)
    )
    lapsed = check_retention(weak, ladder, "L1", past, NOW)
    assert lapsed.status == LAPSE
    assert [(p.key, p.actual, p.required) for p in lapsed.problems] == [("csat", 3.8, 4.0)]


def test_kpis_are_not_judged_without_enough_conversations(ladder):
    on_leave = l1_ready(kpi=kpis(conversations=40, csat=3.0))
    assert check_retention(on_leave, ladder, "L1", RetentionState(), NOW).status == OK


def test_an_inherited_quiz_lapses_higher_levels_too(ladder):
    passes = {slug: quiz_pass(slug) for slug in L1_QUIZZES}
    passes["live-advertising-promotion"] = quiz_pass("live-advertising-promotion")
    passes["returns-consumer-protection"] = quiz_pass("returns-consumer-protection", days_ago=400)
    evidence = l1_ready(quiz_passes=passes)
    noticed = RetentionState(noticed_at=NOW - timedelta(days=30))
    assert check_retention(evidence, ladder, "L2", noticed, NOW).status == LAPSE
    assert check_retention(evidence, ladder, "L1", noticed, NOW).status == LAPSE


def test_the_base_level_never_lapses(ladder):
    assert (
        check_retention(AgentEvidence(user_id=1), ladder, "L0", RetentionState(), NOW).status == OK
    )
