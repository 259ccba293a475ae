"""Whole conversations for every shipped scenario through the chat endpoints (scripted engine):
good agents pass, bad agents fail, and the same conversation always gets the same grade."""

import json

import pytest

from tests.roleplay.conftest import DIALOGUES, load_dialogue, play_dialogue
from trainer.extensions import db
from trainer.roleplay.models import RoleplaySession

SLUGS = sorted(p.stem for p in DIALOGUES.glob("*.yaml"))


def test_every_shipped_scenario_has_a_dialogue():
    from trainer.config import ROOT

    shipped = sorted(p.stem for p in (ROOT / "scenarios").glob("[!_]*.yaml"))
    assert len(shipped) >= 12
    assert shipped == SLUGS


def grade_breaches(grade):
    """The platform breaches found in a stored grade's agent turns (recomputed from the text)."""
    from trainer.roleplay.grading import grade_transcript
    from trainer.roleplay.transcript import from_turns

    session = grade.session
    return grade_transcript(
        session.version.spec, from_turns(session.turns), judge="offline"
    ).breaches


def _grade(session_id):
    db.session.expire_all()
    return db.session.get(RoleplaySession, session_id).grade


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("kind", ["good", "bad"])
def test_dialogue_meets_expectations(app, login_as, shipped_scenarios, clock, slug, kind):
    dialogue = load_dialogue(slug)
    client, _agent = login_as("agent")
    session_id, events = play_dialogue(client, clock, slug, dialogue[kind])
    grade = _grade(session_id)
    assert grade is not None
    for key, value in dialogue["expect"][kind].items():
        assert getattr(grade, key) == value, (key, grade.total, grade.items)
    if kind == "good":
        # A good agent satisfies the customer before the turn limit.
        assert events[-1]["end_reason"] == "resolved"
        assert grade.total >= 80
        assert grade.flags == []
    else:
        assert grade.total < 50


@pytest.mark.parametrize("slug", ["fraud-wechat-private-transfer", "logistics-stuck-birthday-gift"])
def test_same_conversation_same_transcript_and_grade(app, login_as, shipped_scenarios, clock, slug):
    turns = load_dialogue(slug)["good"]
    first_client, _ = login_as("agent")
    second_client, _ = login_as("agent")
    first, _ = play_dialogue(first_client, clock, slug, turns)
    second, _ = play_dialogue(second_client, clock, slug, turns)
    db.session.expire_all()
    a, b = db.session.get(RoleplaySession, first), db.session.get(RoleplaySession, second)
    assert [(t.speaker, t.text, t.mood) for t in a.turns] == [
        (t.speaker, t.text, t.mood) for t in b.turns
    ]
    assert json.dumps(a.grade.items, sort_keys=True) == json.dumps(b.grade.items, sort_keys=True)
    assert a.grade.total == b.grade.total


def test_bad_fraud_agent_fails_the_critical_item(app, login_as, shipped_scenarios, clock):
    client, _ = login_as("agent")
    turns = load_dialogue("fraud-cashback-card-code-scam")["bad"]
    session_id, _ = play_dialogue(client, clock, "fraud-cashback-card-code-scam", turns)
    grade = _grade(session_id)
    assert grade.critical_failed and grade.total == 0 and not grade.passed
    item = next(i for i in grade.items if i["id"] == "no_fraud_language")
    assert item["score"] == 0
    # The evidence is the breaching clause itself, quoted from the agent's turn.
    assert item["evidence"] == "是我们的好评返现活动"
    assert {b["policy"] for b in grade_breaches(grade)} >= {"off_platform", "sensitive_data"}


def test_slow_first_reply_fails_the_first_response_item(app, login_as, shipped_scenarios, clock):
    client, _ = login_as("agent")
    turns = load_dialogue("aftersales-seven-day-return-dress")["good"]
    session_id, _ = play_dialogue(client, clock, "aftersales-seven-day-return-dress", turns, gap=45)
    grade = _grade(session_id)
    item = next(i for i in grade.items if i["id"] == "first_response")
    assert item["score"] == 0
    assert item["detail"]["seconds"] == 45
    assert grade.total < 100


def _lines(agent_texts):
    from datetime import UTC, datetime, timedelta

    from trainer.roleplay.transcript import Line

    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    lines = [Line(0, "customer", "你好，在吗？", start)]
    for index, text in enumerate(agent_texts):
        at = start + timedelta(seconds=20 * (index + 1))
        lines.append(Line(len(lines), "agent", text, at))
        lines.append(Line(len(lines), "customer", "嗯。", at + timedelta(seconds=5)))
    return lines


@pytest.mark.parametrize("slug", SLUGS)
def test_the_rubric_words_as_a_list_earn_nothing(app, slug):
    """Every rubric topic word of the scenario, typed as keyword lists, fails the scenario."""
    from trainer.config import ROOT
    from trainer.roleplay.grading import grade_transcript
    from trainer.roleplay.scenarios import parse_scenario

    spec = parse_scenario((ROOT / "scenarios" / f"{slug}.yaml").read_text(encoding="utf-8"))
    words = [
        word.replace("+", " ")
        for item in spec["rubric"]["items"]
        for topic in item.get("topics", [])
        for word in topic["words"]
    ]
    stuffed = [" ".join(words[i : i + 8]) for i in range(0, len(words), 8)]
    good = grade_transcript(spec, _lines(load_dialogue(slug)["good"]), judge="offline")
    listed = grade_transcript(spec, _lines(stuffed), judge="offline")
    judged = [i for i in listed.items if i["kind"] == "judged"]
    assert all(i["score"] == i["min"] for i in judged), [(i["id"], i["score"]) for i in judged]
    assert not listed.passed and listed.total < good.total
