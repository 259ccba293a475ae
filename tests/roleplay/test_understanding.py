"""The offline reader: acts per clause with polarity, stuffing yields nothing, options counted."""

import pytest

from trainer.roleplay.understanding import (
    ASKS_EVIDENCE,
    BREACH,
    COMMITS,
    EMPATHY,
    ESCALATES,
    HURDLE,
    OFFERS_SOLUTION,
    RUDE,
    VERIFIES,
    read_turn,
)
from trainer.roleplay.understanding.llm_reader import LLMReader, reader_schema


@pytest.fixture
def spec():
    from trainer.config import ROOT
    from trainer.roleplay.scenarios import parse_scenario

    path = ROOT / "scenarios" / "aftersales-seven-day-return-dress.yaml"
    return parse_scenario(path.read_text(encoding="utf-8"))


def kinds(reading):
    return [act.kind for act in reading.acts]


def test_a_warning_about_the_code_is_not_a_request(spec):
    reading = read_turn(spec, "请不要把验证码告诉任何人，包括自称客服的人。", 1)
    assert BREACH not in kinds(reading)
    assert ASKS_EVIDENCE not in kinds(reading) and VERIFIES not in kinds(reading)


def test_asking_for_the_code_is_a_breach(spec):
    reading = read_turn(spec, "麻烦把短信里的验证码发我一下。", 1)
    assert [act.detail for act in reading.of(BREACH)] == ["sensitive_data"]


@pytest.mark.parametrize(
    "text", ["理解 抱歉 吊牌 洗过 运费险", "理解，抱歉，吊牌，洗过，运费险，七天无理由"]
)
def test_a_bare_keyword_list_performs_nothing(spec, text):
    assert read_turn(spec, text, 1).acts == ()


def test_three_options_are_three_acts(spec):
    text = "您有三个选择：退货退款；换尺码；或者换同价位的其他款。"
    options = read_turn(spec, text, 1).of(OFFERS_SOLUTION)
    assert len({act.detail for act in options}) == 3


def test_a_refusal_is_a_hurdle_not_an_offer(spec):
    reading = read_turn(spec, "穿过了就不能退了。", 1)
    assert HURDLE in kinds(reading) and OFFERS_SOLUTION not in kinds(reading)


def test_questions_verify_hidden_facts(spec):
    reading = read_turn(spec, "想确认一下，裙子的吊牌还在吗？", 1)
    assert [act.detail for act in reading.of(VERIFIES)] == ["tags_intact"]
    # The same words stated, not asked, verify nothing.
    assert not read_turn(spec, "吊牌完好就可以退。", 1).of(VERIFIES)


def test_empathy_commit_escalation_and_rudeness(spec):
    reading = read_turn(spec, "抱歉让您担心了，我今天 18 点前给您回复，并反馈给主管。", 1)
    assert {EMPATHY, COMMITS, ESCALATES} <= set(kinds(reading))
    assert reading.of(ESCALATES)[0].detail == "主管"
    assert RUDE in kinds(read_turn(spec, "这是你自己的原因，爱退不退。", 1))
    assert RUDE not in kinds(read_turn(spec, "这不是您的原因，是我们的问题。", 1))


def test_llm_reader_schema_bounds_strings():
    act = reader_schema()["properties"]["turns"]["items"]["properties"]["acts"]["items"]
    assert act["properties"]["quote"]["maxLength"] > 0
    assert "breach" not in act["properties"]["kind"]["enum"]


def test_llm_reader_falls_back_offline_on_error(app, spec, monkeypatch):
    from datetime import UTC, datetime

    from trainer.roleplay import llm
    from trainer.roleplay.transcript import Line

    def fail(*args, **kwargs):
        raise llm.LLMError(llm.TIMEOUT, "slow")

    monkeypatch.setattr(llm, "complete_json", fail)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    lines = [Line(0, "customer", "能退吗？", now), Line(1, "agent", "抱歉让您久等了。", now)]
    reader = LLMReader()
    with app.app_context():
        readings = reader.read(spec, lines)
    assert reader.fallback == llm.TIMEOUT
    assert EMPATHY in kinds(readings[0])


def test_llm_reader_keeps_only_verbatim_quotes(app, spec, monkeypatch):
    from datetime import UTC, datetime

    from trainer.roleplay import llm
    from trainer.roleplay.transcript import Line

    answer = {"turns": [{"turn": 1, "acts": [
        {"kind": "empathy", "quote": "抱歉让您久等了", "detail": ""},
        {"kind": "offers_solution", "quote": "给您补发一件", "detail": "补发"},
    ]}]}  # fmt: skip
    monkeypatch.setattr(llm, "complete_json", lambda *a, **k: (answer, 10))
    now = datetime(2026, 1, 1, tzinfo=UTC)
    lines = [Line(0, "customer", "能退吗？", now), Line(1, "agent", "抱歉让您久等了。", now)]
    with app.app_context():
        readings = LLMReader().read(spec, lines)
    assert kinds(readings[0]) == [EMPATHY]
