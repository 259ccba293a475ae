"""Drill builders: a three-customer drill on the tiny scenario, and its runs."""

import pytest

from tests.roleplay.conftest import (  # noqa: F401 - fixtures shared with role-play
    START,
    clock,
    fake_llm,
    make_scenario,
    read_events,
)
from trainer.extensions import db

RUSH_YAML = """\
slug: tiny-rush
title:
  zh_CN: 小高峰
  en: Tiny rush
length: 120
target_seconds: 30
patience:
  follow_up_after: 20
  leave_after: 40
  follow_up: 在吗？
  leave: 不等了。
  mood_drop: 15
scenarios:
  - scenario: tiny-parcel
arrivals:
  - at: 0
  - at: 5
  - at: 10
"""


@pytest.fixture
def make_drill(app, make_scenario):  # noqa: F811
    """Store a drill from YAML (the tiny three-customer rush unless given), with its scenario."""
    from trainer.drills import catalog
    from trainer.drills.spec import parse_drill
    from trainer.roleplay import catalog as scenarios

    def build(text: str = RUSH_YAML):
        if scenarios.get_scenario("tiny-parcel") is None:
            make_scenario()
        spec = parse_drill(text)
        drill, _ = catalog.save_version(spec, text, source="file")
        db.session.commit()
        return drill

    return build


def tick(client, run_id: int) -> dict:
    """POST the page's heartbeat; the state it returns."""
    response = client.post(f"/drills/runs/{run_id}/tick")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def reply(client, run_id: int, position: int, text: str) -> tuple[int, list[dict]]:
    """The agent writes to one customer of the run; (status, events or [error])."""
    response = client.post(
        f"/drills/runs/{run_id}/customers/{position}/turns", json={"text": text}, buffered=True
    )
    if response.status_code != 200:
        return response.status_code, [response.get_json()]
    return 200, read_events(response)


def serve_two(client, org_clock) -> int:
    """Start the tiny rush and answer its two customers 3 s and 8 s in; the run id."""
    run_id = start(client)
    tick(client, run_id)
    org_clock.shift(3)
    assert reply(client, run_id, 1, "非常抱歉，给您添麻烦了，请问有照片吗？")[0] == 200
    org_clock.shift(5)
    assert reply(client, run_id, 2, "您好，抱歉让您久等，我马上帮您处理。")[0] == 200
    return run_id


def start(client, slug: str = "tiny-rush") -> int:
    """Start a drill through its button; the run id."""
    response = client.post(f"/drills/{slug}/start")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])
