"""Role-play builders: scenarios, chats through the real endpoints, a fake LLM server."""

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
import yaml

from tests.roleplay.fake_openai import FakeOpenAI
from trainer.config import ROOT
from trainer.extensions import db

DIALOGUES = Path(__file__).resolve().parent / "dialogues"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def tiny_spec(**overrides) -> dict:
    """A small valid scenario: one hidden fact, two beats, a rule and a judged item."""
    spec = {
        "slug": "tiny-parcel",
        "title": {"zh_CN": "小测试：包裹破损", "en": "Tiny test: damaged parcel"},
        "summary": {"zh_CN": "测试用。", "en": "For tests."},
        "category": "after_sales",
        "difficulty": 1,
        "persona": {"name": "王女士", "temperament": "着急", "patience": 2, "style": "句子短"},
        "situation": "杯子碎了，想退款。订单 2024111100123。\n",
        "hidden_facts": [
            {
                "id": "has_photos",
                "fact": "顾客拍了照片",
                "ask_keywords": ["照片"],
                "reveal": "我拍了照片的。",
            }
        ],
        "opening": "杯子碎了！怎么办？",
        "mood": {
            "start": 40,
            "give_up_at": 10,
            "satisfied_at": 70,
            "rules": [
                {"when": {"any": ["抱歉"]}, "change": 15},
                {"when": {"any": ["没办法"]}, "change": -25},
                {"when": {"slow_reply_seconds": 60}, "change": -10},
            ],
        },
        "end": {"max_turns": 4},
        "goal": {
            "needs": [
                {
                    "id": "refund",
                    "need": "能不能退款",
                    "kind": "decision",
                    "words": ["全额退款", "已退款"],
                    "ask": "能不能给我退款？",
                    "pushback": "到底退不退？",
                }
            ]
        },
        "policy": "- 凭照片可全额退款。\n",
        "script": {
            "beats": [
                {
                    "id": "order",
                    "when": {"any": ["订单号"]},
                    "asked": True,
                    "reply": "订单号 2024111100123。",
                    "mood": 5,
                },
                {"id": "refund", "when": {"any": ["退款"]}, "reply": "退款就行。", "mood": 10},
            ],
            "fallback": ["所以怎么办？", "你说话呀！"],
            "resolved_reply": "好的，谢谢。",
            "gave_up_reply": "算了，我去投诉。",
        },
        "rubric": {
            "pass_mark": 60,
            "items": [
                {
                    "id": "first_response",
                    "title": {"zh_CN": "30 秒内首次响应", "en": "First response within 30 seconds"},
                    "kind": "rule",
                    "check": {"type": "first_response_within", "seconds": 30},
                    "scale": "pass_fail",
                    "weight": 1,
                },
                {
                    "id": "no_off_platform",
                    "title": {"zh_CN": "不引导站外", "en": "No off-platform"},
                    "kind": "rule",
                    "check": {"type": "forbidden_lexicon", "lexicon": ["off_platform"]},
                    "scale": "pass_fail",
                    "weight": 1,
                    "critical": True,
                },
                {
                    "id": "photos",
                    "title": {"zh_CN": "核实照片", "en": "Asked for photos"},
                    "kind": "rule",
                    "check": {"type": "hidden_fact_uncovered", "fact": "has_photos"},
                    "scale": "pass_fail",
                    "weight": 1,
                },
                {
                    "id": "empathy",
                    "title": {"zh_CN": "共情", "en": "Empathy"},
                    "kind": "judged",
                    "scale": 5,
                    "weight": 2,
                    "guidance": "是否先道歉？",
                    "offline_keywords": ["抱歉", "理解"],
                },
            ],
        },
        "coaching": [{"item": "empathy", "lesson": "complaints/calming-angry-customers"}],
        "examples": ["非常抱歉！麻烦发一下照片。"],
    }
    for key, value in overrides.items():
        spec[key] = value
    return spec


def tiny_yaml(**overrides) -> str:
    """The tiny scenario as YAML text."""
    from trainer.roleplay.scenarios import dump_spec

    return dump_spec(tiny_spec(**overrides))


@pytest.fixture
def make_scenario(app):
    """Store a scenario (the tiny one unless a spec is given), published by default."""
    from trainer.roleplay import catalog
    from trainer.roleplay.scenarios import normalise

    def build(spec: dict | None = None, *, published: bool = True, **overrides):
        raw = copy.deepcopy(spec or tiny_spec(**overrides))
        normalised, problems = normalise(raw)
        assert problems == [], problems
        scenario, _ = catalog.save_version(normalised, None, source="file", publish=published)
        db.session.commit()
        return scenario

    return build


@pytest.fixture
def shipped_scenarios(app):
    """Load the 13 shipped scenario files into the database."""
    from trainer.roleplay import content

    counts = content.sync(ROOT)
    db.session.commit()
    return counts


def read_events(response) -> list[dict]:
    """The server-sent events of a streamed reply."""
    body = response.get_data(as_text=True)
    events = []
    for block in body.split("\n\n"):
        if block.startswith("data: "):
            events.append(json.loads(block[len("data: ") :]))
    return events


def say(client, session_id: int, text: str) -> tuple[int, list[dict]]:
    """Post an agent turn; return (status, events or [error body])."""
    # buffered: read the stream inside the request's own context, as a real server does.
    response = client.post(
        f"/roleplay/sessions/{session_id}/turns", json={"text": text}, buffered=True
    )
    if response.status_code != 200:
        return response.status_code, [response.get_json()]
    return 200, read_events(response)


def start_chat(client, slug: str) -> int:
    """Start a conversation through the page's button; returns the session id."""
    response = client.post(f"/roleplay/scenarios/{slug}/start")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


@pytest.fixture
def clock():
    """Frozen time that tests move forward by hand (`clock.shift(seconds)`)."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def play_dialogue(client, clock, slug: str, turns: list[str], gap: float = 15) -> tuple[int, list]:
    """Chat the agent turns (each `gap` seconds after the customer) until the chat ends."""
    session_id = start_chat(client, slug)
    ended_events = []
    for text in turns:
        clock.shift(gap)
        status, events = say(client, session_id, text)
        assert status == 200, events
        done = events[-1]
        assert done["type"] == "done", events
        clock.shift(3)
        ended_events.append(done)
        if done["ended"]:
            break
    clock.shift(5)
    response = client.post(f"/roleplay/sessions/{session_id}/end")
    assert response.status_code == 302
    return session_id, ended_events


def load_dialogue(slug: str) -> dict:
    """The good/bad agent turns and expectations for a shipped scenario."""
    return yaml.safe_load((DIALOGUES / f"{slug}.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def fake_llm(app):
    """A fake OpenAI-compatible server, with the app pointed at it through the real SDK."""
    server = FakeOpenAI().start()
    app.config.update(
        OPENAI_API_KEY="test-key",
        OPENAI_BASE_URL=server.base_url,
        TRAINER_LLM_MODEL="fake-model",
        ROLEPLAY_LLM_TIMEOUT=1.0,
        ROLEPLAY_LLM_MAX_RETRIES=0,
    )
    try:
        yield server
    finally:
        server.stop()
