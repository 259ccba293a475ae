"""Peak-drill flow for the load benchmark: each agent runs a 5-customer drill.

Run alone with the scripted customer (no model key → the scripted engine), e.g.
`python -m bench --flows drills --users 50 --no-focus --burst 0`: every agent starts the
drill, keeps the workspace ticking and answers its five customers in turn (two rounds), then
ends the drill and reads the results. Run with the role-play flows, the same customers are
answered by the fake model server (concurrent streams). Recorded besides each request:
"drills: turn (streamed reply)" (message sent → customer's reply stored) and
"drills: tick" (the workspace's heartbeat, which records arrivals and departures).
"""

import json
import re
import time

from bench.harness import Flow, RequestFailed, UserSession

SLUG = "bench-five-customers"
RUN_ID = re.compile(r"/drills/runs/(\d+)")
DRILL_YAML = """\
slug: bench-five-customers
title: {zh_CN: 压测：五位顾客, en: "Bench: five customers"}
length: 600
patience: {follow_up_after: 300, leave_after: 500}
scenarios:
  - {scenario: logistics-stuck-birthday-gift, weight: 2}
  - {scenario: order-change-address-and-color, weight: 2}
  - {scenario: payment-double-charge-group-order, weight: 1}
arrivals:
  - burst: {count: 5, within: 0, at: 0}
"""
TURNS = [
    "您好，非常抱歉让您久等了，麻烦提供一下订单号，我马上为您查询。",
    "已经帮您核实，我们今天 18:00 前给您处理好，并短信通知您进展。",
]


def prepare(scale: int) -> None:
    """The bench drill (five customers arriving at once)."""
    from trainer.drills import catalog
    from trainer.drills.spec import parse_drill
    from trainer.extensions import db

    catalog.save_version(parse_drill(DRILL_YAML), DRILL_YAML, source=catalog.FILE)
    db.session.commit()


def server_env(stack) -> dict[str, str]:
    """Replies as fast as the server can produce them; no per-minute turn cap."""
    return {"TRAINER_ROLEPLAY_TURNS_PER_MINUTE": "100000", "TRAINER_ROLEPLAY_SCRIPTED_DELAY": "0"}


async def _turn(s: UserSession, run_id: int, position: int, text: str) -> None:
    url = f"/drills/runs/{run_id}/customers/{position}/turns"
    headers = {"X-CSRFToken": s.csrf, "Accept": "text/event-stream"}
    started = time.perf_counter()
    done = None
    buffer = ""
    async with s.client.stream("POST", url, json={"text": text}, headers=headers) as response:
        if response.status_code >= 400:
            s.samples.errors["drills: turn (streamed reply)"] += 1
            raise RequestFailed(f"drill turn: HTTP {response.status_code}")
        async for chunk in response.aiter_text():
            buffer += chunk
            *blocks, buffer = buffer.split("\n\n")
            for block in blocks:
                if block.startswith("data: "):
                    event = json.loads(block[6:])
                    if event["type"] in ("done", "error", "superseded"):
                        done = event
    if done is None or done["type"] != "done":
        s.samples.errors["drills: turn (streamed reply)"] += 1
        raise RequestFailed(f"drill turn: no reply ({done})")
    s.record("drills: turn (streamed reply)", time.perf_counter() - started)


async def run_drill(s: UserSession) -> None:
    """Start the drill, tick, answer five customers twice, end it, read the results."""
    await s.get("/drills/", label="drills: list")
    started = await s.post(f"/drills/{SLUG}/start", label="drills: start")
    location = started.headers.get("location", "")
    match = RUN_ID.search(location)
    if match is None:  # a run left over from an interrupted loop: end it, try next time
        page = await s.get("/drills/", label="drills: list")
        left_over = RUN_ID.search(page)
        if left_over:
            await s.post(f"/drills/runs/{left_over.group(1)}/finish", label="drills: finish")
        raise RequestFailed(f"drill start: {started.status_code} {location}")
    run_id = int(match.group(1))
    await s.get(f"/drills/runs/{run_id}", label="drills: workspace")
    for text in TURNS:
        for position in range(1, 6):
            await s.post_json(f"/drills/runs/{run_id}/tick", {}, label="drills: tick")
            await _turn(s, run_id, position, text)
    await s.post(f"/drills/runs/{run_id}/finish", label="drills: finish (grades 5)")
    await s.get(f"/drills/runs/{run_id}/results", label="drills: results")


FLOWS = [Flow("peak drill", role="agent", run=run_drill)]
