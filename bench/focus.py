"""Focused phases: every virtual user repeats one hot request as fast as it is answered.

Run with the same concurrency as the bare endpoint, a focused phase gives the path's capacity
(requests/s) to put side by side with the bare endpoint's; the mixed flows, where users think
between steps, cannot show that. Then the burst: many agents start the same quiz at once.
"""

import asyncio
import html
import re
import time
from collections.abc import Awaitable, Callable

from bench.flows.quizzes import ATTEMPT, QUIZ, attempt_questions, autosave_body
from bench.harness import RequestFailed, Samples, UserSession, signed_in

LESSON = "/courses/service-foundations"
LESSON_LINK = re.compile(r'<a href="(/courses/service-foundations/[^"/]+)"')


async def _start(s: UserSession, label: str = "focus: quiz start") -> str:
    """Start (or resume) an attempt at the bench quiz; its id."""
    response = await s.post(f"/quizzes/{QUIZ}/start", label=label)
    match = ATTEMPT.search(response.headers.get("location", ""))
    if match is None:
        raise RequestFailed(f"{label}: no attempt started")
    return match.group(1)


async def _quiz_attempt(s: UserSession):
    """Setup of the autosave phase: a running attempt and its questions."""
    await _open_quiz(s)
    attempt = await _start(s, label="setup")
    page = await s.get(f"/quizzes/attempts/{attempt}", label="setup")
    return attempt, attempt_questions(page)


async def autosave(s: UserSession, state) -> None:
    """Save an answer to one of the attempt's questions."""
    attempt, questions = state
    await s.post_json(
        f"/quizzes/attempts/{attempt}/answers",
        autosave_body(questions, s.rng),
        label="focus: quiz autosave",
    )


async def quiz_page(s: UserSession, _state) -> None:
    """The quiz's page (rules, standing, attempts)."""
    await s.get(f"/quizzes/{QUIZ}", label="focus: quiz page")


async def sitting(s: UserSession, _state) -> None:
    """Start an attempt, open it, submit it (start and submit share the phase)."""
    attempt = await _start(s)
    await s.get(f"/quizzes/attempts/{attempt}", label="focus: quiz attempt page")
    await s.post(f"/quizzes/attempts/{attempt}/submit", label="focus: quiz submit")


async def home(s: UserSession, _state) -> None:
    """The agent's home page with all its panels."""
    await s.get("/", label="focus: agent home")


async def _lesson_links(s: UserSession) -> list[str]:
    """Setup of the lesson phase: the lessons of a shipped course."""
    course = await s.get(LESSON, label="setup")
    links = [html.unescape(u) for u in LESSON_LINK.findall(course)]
    if not links:
        raise RequestFailed("focus: lesson page: no lesson link on the course page")
    return links


async def lesson(s: UserSession, links: list[str]) -> None:
    """A lesson page of an assigned course."""
    await s.get(s.rng.choice(links), label="focus: lesson page")


async def _nothing(_s: UserSession) -> None:
    return None


async def _open_quiz(s: UserSession) -> None:
    """The quiz page the agent starts from (and its form token)."""
    await s.get(f"/quizzes/{QUIZ}", label="setup")


Step = Callable[[UserSession, object], Awaitable[None]]
# (name, setup before the clock starts, one timed step repeated until time is up)
PHASES: list[tuple[str, Callable[[UserSession], Awaitable[object]], Step]] = [
    ("quiz autosave", _quiz_attempt, autosave),
    ("quiz page", _nothing, quiz_page),
    ("quiz start, attempt page, submit", _open_quiz, sitting),
    ("agent home", _nothing, home),
    ("lesson page", _lesson_links, lesson),
]


async def run_focused(
    base_url: str, agents: list[dict], seconds: float, picked: list[str] | None = None
) -> Samples:
    """Each focused phase in turn (those whose name holds one of the `picked` words, when
    given), all agents at once, `seconds` long each."""
    samples = Samples()
    sessions = await signed_in(base_url, agents, samples)
    phases = [p for p in PHASES if not picked or any(word in p[0] for word in picked)]
    try:
        for name, setup, step in phases:
            states = await asyncio.gather(*(setup(s) for s in sessions))
            stop_at = time.perf_counter() + seconds

            async def repeat(s: UserSession, state, step=step, stop_at=stop_at) -> None:
                while time.perf_counter() < stop_at:
                    await step(s, state)

            results = await asyncio.gather(
                *(repeat(s, state) for s, state in zip(sessions, states, strict=True)),
                return_exceptions=True,
            )
            failed = [r for r in results if isinstance(r, Exception)]
            if failed:
                samples.errors[f"focus: {name}"] += len(failed)
                print(f"  ! {name}: {failed[0]!r}")
    finally:
        for s in sessions:
            await s.client.aclose()
    samples.times.pop("setup", None)
    samples.queries.pop("setup", None)
    return samples


async def run_burst(base_url: str, agents: list[dict]) -> Samples:
    """All `agents` (signed in beforehand) start the same quiz at the same moment."""
    samples = Samples()
    sessions = await signed_in(base_url, agents, samples)
    label = f"burst: {len(agents)} agents start the quiz at once"
    try:
        for s in sessions:
            await s.get(f"/quizzes/{QUIZ}", label="setup")  # the page they have open
        started = time.perf_counter()
        results = await asyncio.gather(
            *(s.post(f"/quizzes/{QUIZ}/start", label=label) for s in sessions),
            return_exceptions=True,
        )
        samples.seconds = time.perf_counter() - started
        samples.errors[label] += sum(isinstance(r, Exception) for r in results)
    finally:
        for s in sessions:
            await s.client.aclose()
    samples.times.pop("setup", None)
    samples.queries.pop("setup", None)
    return samples


STALLED_LABEL = "stalled model: lesson page while {n} role-plays wait"


async def _hold_turn(s: UserSession, session_id: int) -> None:
    """Send one agent turn and read its reply to the end (the model stalls until released)."""
    url = f"/roleplay/sessions/{session_id}/turns"
    headers = {"X-CSRFToken": s.csrf, "Accept": "text/event-stream"}
    async with s.client.stream(
        "POST", url, json={"text": "请问我的包裹现在到哪里了？"}, headers=headers, timeout=120
    ) as response:
        async for _chunk in response.aiter_text():
            pass


async def _waiting_chat(s: UserSession) -> int:
    """A started role-play of a signed-in agent (the session's id)."""
    from bench.flows.roleplay import SCENARIOS, SESSION_ID

    slug = SCENARIOS[0]
    await s.get(f"/roleplay/scenarios/{slug}", label="setup")
    started = await s.post(f"/roleplay/scenarios/{slug}/start", label="setup")
    return int(SESSION_ID.search(started.headers["location"]).group(1))


async def run_stalled(
    base_url: str, agents: list[dict], waiting: list[dict], seconds: float
) -> Samples:
    """The lesson phase again while `waiting` agents' role-play turns hang on a model that
    sends its first token and then nothing (the fake server's "stall" fault)."""
    from bench.flows import roleplay

    fake = roleplay._FAKE
    samples = Samples()
    if fake is None:
        return samples
    holders = await signed_in(base_url, waiting, samples)
    sessions: list[UserSession] = []
    held: list[asyncio.Task] = []
    label = STALLED_LABEL.format(n=len(waiting))
    try:
        chats = await asyncio.gather(*(_waiting_chat(s) for s in holders))
        asked = len(fake.chat_requests())
        fake.fail_next("stall", times=len(holders))
        held = [
            asyncio.create_task(_hold_turn(s, chat)) for s, chat in zip(holders, chats, strict=True)
        ]
        deadline = time.perf_counter() + 30
        while len(fake.chat_requests()) < asked + len(holders) and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)  # until every waiting turn has reached the model
        stalled = len(fake.chat_requests()) - asked
        print(f"  stalled model: {stalled} of {len(holders)} role-play turns waiting")
        # Signed in only now: an idle keep-alive connection would be closed under them.
        sessions = await signed_in(base_url, agents, samples)
        links = await asyncio.gather(*(_lesson_links(s) for s in sessions))
        stop_at = time.perf_counter() + seconds

        async def repeat(s: UserSession, state) -> None:
            while time.perf_counter() < stop_at:
                await s.get(s.rng.choice(state), label=label)

        results = await asyncio.gather(
            *(repeat(s, state) for s, state in zip(sessions, links, strict=True)),
            return_exceptions=True,
        )
        if failed := [r for r in results if isinstance(r, Exception)]:
            samples.errors[label] += len(failed)
            print(f"  ! stalled model: {failed[0]!r}")
        still_waiting = sum(1 for task in held if not task.done())
        print(f"  stalled model: {still_waiting} turns still waiting when the phase ended")
    except Exception as error:  # noqa: BLE001 - report the phase as failed, keep the others
        samples.errors[label] += 1
        print(f"  ! stalled model phase failed: {error!r}")
    finally:
        fake.release()
        await asyncio.gather(*held, return_exceptions=True)
        for s in sessions + holders:
            await s.client.aclose()
    samples.times.pop("setup", None)
    samples.queries.pop("setup", None)
    return samples
