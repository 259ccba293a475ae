"""Drills as certification evidence: the requirement kind, its parsing, evidence and the panel."""

from datetime import UTC, datetime

import pytest

from tests.drills.conftest import reply, start
from trainer.certification.engine import DRILL, check_level
from trainer.certification.ladder import SHIPPED, parse_ladder
from trainer.core.evidence import DrillResult
from trainer.core.problems import ProblemsError

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _result(share, breaches=0, score=80, slug="double11-midnight-wave") -> DrillResult:
    return DrillResult(1, slug, NOW, share, breaches, 5, 0, 5, score)


@pytest.fixture
def senior(app):
    ladder = parse_ladder(SHIPPED.read_text(encoding="utf-8"))
    return ladder, ladder.level("L2")


def _drill_check(senior, results):
    from trainer.certification.engine import AgentEvidence

    ladder, level = senior
    checks = check_level(level, AgentEvidence(user_id=1, drills=tuple(results)), ladder, NOW)
    return next(c for c in checks if c.kind == DRILL)


def test_the_senior_level_asks_for_the_double11_drill(senior):
    rule = senior[1].drill
    assert (rule.drill, rule.min_within_target, rule.max_breaches) == (
        "double11-midnight-wave",
        90.0,
        0,
    )


@pytest.mark.parametrize(
    ("results", "met", "actual"),
    [
        ([], False, None),
        ([_result(0.95)], True, 95.0),
        ([_result(0.9)], True, 90.0),
        ([_result(0.85)], False, 85.0),
        ([_result(1.0, breaches=1)], False, None),  # a breach disqualifies the run
        ([_result(1.0, score=None)], False, None),  # not graded yet
        ([_result(1.0, slug="aftersales-monday")], False, None),
        ([_result(0.5), _result(0.92)], True, 92.0),  # the best run counts
    ],
)
def test_drill_requirement(senior, results, met, actual):
    check = _drill_check(senior, results)
    assert (check.met, check.actual) == (met, actual)


def test_a_bad_drill_rule_is_a_line_numbered_problem(app):
    text = SHIPPED.read_text(encoding="utf-8").replace(
        "min_within_target: 90", "min_within_target: 190"
    )
    with pytest.raises(ProblemsError) as caught:
        parse_ladder(text)
    line = next(
        n for n, row in enumerate(text.splitlines(), start=1) if "min_within_target: 190" in row
    )
    assert [p.line for p in caught.value.problems] == [line]


def test_check_config_names_an_unknown_drill(app, runner):
    from trainer.certification.checkconfig import unknown_slugs

    ladder = parse_ladder(
        SHIPPED.read_text(encoding="utf-8").replace("drill: double11-midnight-wave", "drill: nope")
    )
    assert ("L2", "drill", "nope") in unknown_slugs(ladder)
    assert not [m for m in unknown_slugs(parse_ladder(SHIPPED.read_text())) if m[1] == "drill"]


def test_a_finished_run_is_evidence(app, login_as, make_drill, clock):
    from trainer.certification.evidence import collect_evidence
    from trainer.certification.ladder import current_ladder

    make_drill()
    client, agent = login_as("agent")
    run_id = start(client)
    clock.shift(2)
    reply(client, run_id, 1, "您好，抱歉，请问有照片吗？")
    client.post(f"/drills/runs/{run_id}/finish")
    evidence = collect_evidence([agent], current_ladder(), NOW)[agent.id]
    (result,) = evidence.drills
    assert (result.drill_slug, result.served, result.abandoned) == ("tiny-rush", 1, 0)
    assert result.within_target_share == 1.0 and result.score is not None


def test_the_certification_panel_lists_the_drill(app, login_as, make_drill, clock):
    client, agent = login_as("agent")
    from trainer.certification.engine import AgentEvidence, evaluate
    from trainer.certification.ladder import current_ladder
    from trainer.certification.presenting import present

    ladder = current_ladder()
    checks = check_level(ladder.level("L2"), AgentEvidence(user_id=agent.id), ladder, NOW)
    (line,) = [r for r in present(checks) if r.kind == DRILL]
    assert "double11-midnight-wave" in line.label and line.url == "/drills/"
    assert evaluate(AgentEvidence(user_id=agent.id), ladder, NOW).level == "L0"
