"""Role-play flows for the load benchmark: agents chat against a fake LLM, trainers review.

The chat runs the real openai SDK against tests/roleplay/fake_openai.py started by
`server_env`, with a model that takes a while to start and then streams. Besides each request's
latency, the flow records:
- "roleplay: server overhead per turn": the turn's time at the client minus the time the model
  spent on it (from the fake server's own clock), i.e. what the app adds;
- "roleplay: model first token → browser": from the fake model writing its first token to the
  client reading the first piece of the reply.
"""

import asyncio
import itertools
import json
import re
import time
from datetime import timedelta

from bench import bulk
from bench.harness import Flow, RequestFailed, UserSession

_FAKE = None  # the fake model server, started by server_env (same process as the flows)
_COUNTER = itertools.count()

AGENT_TURNS = [
    "非常抱歉让您久等了，理解您着急！麻烦您发一下订单号，我马上帮您查物流。",
    "查到了，包裹在转运中心停了几天，是我们盯得不够及时，真的很抱歉。这个礼物是急用吗？",
    "我给您改走顺丰补发，预计周四前后到；同时向快递提交催件工单，2 小时内回复您进展。",
]
SCENARIOS = ["logistics-stuck-birthday-gift", "aftersales-seven-day-return-dress"]
SESSION_ID = re.compile(r"/roleplay/sessions/(\d+)")
REVIEW_LINK = re.compile(r'href="(/roleplay/review/\d+)"')


def prepare(scale: int) -> None:
    """Graded sessions for about a fifth of the agents (one flagged in ten) and assignments."""
    from trainer.accounts.models import User
    from trainer.core.clock import utcnow
    from trainer.extensions import db
    from trainer.roleplay import catalog, services
    from trainer.roleplay.demo import FLAGGED_TURNS, PASSED_TURNS

    agents = list(
        db.session.scalars(
            db.select(User).where(User.role == "agent").order_by(User.id).limit(max(1, scale // 5))
        )
    )
    trainer = db.session.scalar(db.select(User).where(User.role == "trainer").limit(1))
    passed = catalog.get_scenario("aftersales-seven-day-return-dress")
    other = catalog.get_scenario("logistics-stuck-birthday-gift")
    now = utcnow()
    plans = []
    for index, agent in enumerate(agents):
        plans.append((agent, passed, PASSED_TURNS, now - timedelta(days=3, minutes=index)))
        turns = FLAGGED_TURNS if index % 10 == 0 else AGENT_TURNS
        plans.append((agent, other, turns, now - timedelta(days=2, minutes=index)))
    _store_sessions(plans)
    services.assign_scenario(other, agents, actor=trainer, due_at=now + timedelta(days=7))
    db.session.commit()


def _row(obj, *leave_out: str) -> dict:
    """The stored columns of an ORM object, as a dict (without the id and `leave_out`)."""
    return {
        column.key: getattr(obj, column.key)
        for column in obj.__table__.columns
        if column.key not in ("id", *leave_out)
    }


def _store_sessions(plans: list) -> None:
    """Store each (agent, scenario, agent turns, start) as a finished, graded session.

    Every distinct conversation (scenario and agent turns) is played and graded once by the
    app's own simulation (trainer/roleplay/simulate.py: the state machine, scripted replies,
    offline grading); the other agents get copies of its session, turns and grade rows, moved
    to their own start time, written with bulk inserts (bench/bulk.py)."""
    from trainer.extensions import db
    from trainer.roleplay.models import RoleplayGrade, RoleplaySession, RoleplayTurn
    from trainer.roleplay.simulate import simulate_session

    templates, copies = {}, []
    for agent, scenario, texts, started_at in plans:
        key = (scenario.id, tuple(texts))
        if key not in templates:
            played = simulate_session(agent, scenario, texts, started_at=started_at)
            templates[key] = (
                _row(played),
                [_row(turn, "session_id") for turn in played.turns],
                _row(played.grade, "session_id"),
            )
        else:
            copies.append((agent.id, key, started_at))
    db.session.flush()
    last_played = db.session.scalar(db.select(db.func.max(RoleplaySession.id)))

    def moved(row: dict, shift: timedelta, *stamps: str) -> dict:
        return {**row, **{name: row[name] + shift for name in stamps if row[name] is not None}}

    def sessions():
        for user_id, key, started_at in copies:
            session = templates[key][0]
            shift = started_at - session["started_at"]
            yield {**moved(session, shift, "started_at", "ended_at"), "user_id": user_id}

    bulk.insert_rows(RoleplaySession, sessions())
    stored = db.session.execute(
        db.select(RoleplaySession.user_id, RoleplaySession.scenario_id, RoleplaySession.id).where(
            RoleplaySession.id > last_played
        )
    )
    ids = {(user_id, scenario_id): id_ for user_id, scenario_id, id_ in stored}
    rows = []
    for user_id, key, started_at in copies:
        session, turns, grade = templates[key]
        shift = started_at - session["started_at"]
        rows.append((ids[(user_id, key[0])], shift, turns, grade))
    bulk.insert_rows(
        RoleplayTurn,
        (
            {**moved(turn, shift, "created_at"), "session_id": session_id}
            for session_id, shift, turns, _grade in rows
            for turn in turns
        ),
    )
    bulk.insert_rows(
        RoleplayGrade,
        ({**grade, "session_id": session_id} for session_id, _shift, _turns, grade in rows),
    )


def server_env(stack) -> dict[str, str]:
    """Start the fake model: 0.4 s to the first token, then 3 characters every 30 ms."""
    global _FAKE
    from tests.roleplay.fake_openai import FakeOpenAI

    _FAKE = stack.enter_context(
        FakeOpenAI(
            reply="那你们打算怎么处理？我周六之前必须收到，能不能给我一个准话？不然我只能去平台投诉了。",
            first_token_delay=0.4,
            chunk_delay=0.03,
            chunk_chars=3,
        )
    )
    return {
        "OPENAI_API_KEY": "bench-key",
        "OPENAI_BASE_URL": _FAKE.base_url,
        "TRAINER_LLM_MODEL": "bench-fake-model",
        "TRAINER_ROLEPLAY_TURNS_PER_MINUTE": "100000",
        "TRAINER_ROLEPLAY_DAILY_TOKENS": "1000000000",
        "TRAINER_LLM_TIMEOUT": "30",
    }


async def _streamed_turn(s: UserSession, session_id: int, text: str) -> dict:
    """Send one agent turn and read the streamed reply, recording the extra timings."""
    url = f"/roleplay/sessions/{session_id}/turns"
    headers = {"X-CSRFToken": s.csrf, "Accept": "text/event-stream"}
    started = time.perf_counter()
    first_piece_at = None
    done = None
    buffer = ""
    async with s.client.stream("POST", url, json={"text": text}, headers=headers) as response:
        if response.status_code >= 400:
            s.samples.errors["roleplay: turn (streamed reply)"] += 1
            raise RequestFailed(f"roleplay turn: HTTP {response.status_code}")
        async for chunk in response.aiter_text():
            buffer += chunk
            *blocks, buffer = buffer.split("\n\n")
            for block in blocks:
                if not block.startswith("data: "):
                    continue
                event = json.loads(block[6:])
                if event["type"] == "delta" and first_piece_at is None:
                    first_piece_at = time.time()
                elif event["type"] in ("done", "error", "superseded"):
                    done = event
    total = time.perf_counter() - started
    if done is None or done["type"] != "done":
        s.samples.errors["roleplay: turn (streamed reply)"] += 1
        raise RequestFailed(f"roleplay turn: no reply ({done})")
    s.record("roleplay: turn (streamed reply)", total)
    timing = _FAKE.timings.get(text) if _FAKE is not None else None
    if timing and "last_chunk" in timing:
        s.record(
            "roleplay: server overhead per turn",
            max(0.0, total - (timing["last_chunk"] - timing["received"])),
        )
        if first_piece_at is not None:
            s.record(
                "roleplay: model first token → browser",
                max(0.0, first_piece_at - timing["first_chunk"]),
            )
    return done


async def chat_with_the_customer(s: UserSession) -> None:
    """Open the catalogue and a brief, chat three turns, end, read the result."""
    await s.get("/roleplay/", label="roleplay: catalogue")
    slug = s.rng.choice(SCENARIOS)
    await s.get(f"/roleplay/scenarios/{slug}", label="roleplay: brief")
    started = await s.post(f"/roleplay/scenarios/{slug}/start", label="roleplay: start")
    session_id = int(SESSION_ID.search(started.headers["location"]).group(1))
    await s.get(f"/roleplay/sessions/{session_id}", label="roleplay: chat page")
    for text in AGENT_TURNS:
        marker = f"{text}（{s.user['id']}-{next(_COUNTER)}）"
        done = await _streamed_turn(s, session_id, marker)
        if done["ended"]:
            break
    await s.post(f"/roleplay/sessions/{session_id}/end", label="roleplay: end")
    # The LLM judges in the worker: the result page says 评分中… and its script polls the
    # grading status (a read) until the grade is stored.
    await s.get(f"/roleplay/sessions/{session_id}/result", label="roleplay: result (grading)")
    for _ in range(30):
        status = await s.get(
            f"/roleplay/sessions/{session_id}/grading", label="roleplay: grading status"
        )
        if '"status":"graded"' in status.replace(" ", ""):
            break
        await asyncio.sleep(1.0)
    await s.get(f"/roleplay/sessions/{session_id}/result", label="roleplay: result page")


async def review_sessions(s: UserSession) -> None:
    """The review queue, one review page and the calibration report."""
    queue = await s.get("/roleplay/review/", label="roleplay: review queue")
    links = REVIEW_LINK.findall(queue)
    if links:
        await s.get(s.rng.choice(links), label="roleplay: review page")
    await s.get("/roleplay/review/calibration", label="roleplay: calibration")


async def team_results(s: UserSession) -> None:
    """A manager reads the team's role-play results."""
    await s.get("/roleplay/review/results", label="roleplay: team results")


FLOWS = [
    Flow("role-play chat", role="agent", run=chat_with_the_customer),
    Flow("role-play review", role="trainer", run=review_sessions),
    Flow("role-play team results", role="manager", run=team_results),
]
