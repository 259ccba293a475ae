"""The load-benchmark harness: data, servers, virtual users, statistics.

A flow module (bench/flows/<feature>.py) defines `prepare(scale)`, a list `FLOWS` of `Flow`s
and optionally `server_env(stack) -> dict` to start helper services (a fake LLM server) for the
server under test. Virtual users sign in once, then run the flows of their role in a loop.
"""

import asyncio
import importlib
import pkgutil
import random
import re
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-Password-2026"  # noqa: S105 - throwaway accounts on a throwaway database
TEAM_SIZE = 20
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass(frozen=True)
class Flow:
    """A named sequence of requests one role performs."""

    name: str
    role: str
    run: Callable[["UserSession"], Awaitable[None]]


class RequestFailed(Exception):
    """A benchmark request got an unexpected status."""


@dataclass
class Samples:
    """Latency samples per label plus error counts."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    queries: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    seconds: float | None = None  # the phase's own length, when it is not the fixed one

    def add(self, label: str, seconds: float) -> None:
        self.times[label].append(seconds)


class UserSession:
    """One signed-in virtual user: an HTTP client that times every request by label."""

    def __init__(self, client: httpx.AsyncClient, user: dict, samples: Samples, seed: int):
        self.client = client
        self.user = user
        self.samples = samples
        self.rng = random.Random(seed)
        self.csrf = ""

    def record(self, label: str, seconds: float) -> None:
        """Add a custom timing sample (e.g. model overhead per turn)."""
        self.samples.add(label, seconds)

    async def _timed(self, label: str, method: str, path: str, **kwargs) -> httpx.Response:
        start = time.perf_counter()
        try:
            response = await self.client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            self.samples.errors[label] += 1
            raise RequestFailed(f"{label}: {error!r}") from error
        self.samples.add(label, time.perf_counter() - start)
        if (queries := response.headers.get("X-Bench-Queries")) is not None:
            self.samples.queries[label].append(int(queries))
        if response.status_code >= 400:
            self.samples.errors[label] += 1
            raise RequestFailed(f"{label}: HTTP {response.status_code} on {method} {path}")
        is_html = "text/html" in response.headers.get("content-type", "")
        if is_html and (match := CSRF_META.search(response.text)):
            self.csrf = match.group(1)
        return response

    async def get(self, path: str, label: str, **kwargs) -> str:
        """GET a page; returns its text."""
        return (await self._timed(label, "GET", path, **kwargs)).text

    async def post(
        self, path: str, label: str, data: dict | None = None, **kwargs
    ) -> httpx.Response:
        """POST a form with the CSRF token of the last page."""
        payload = {"csrf_token": self.csrf, **(data or {})}
        return await self._timed(label, "POST", path, data=payload, **kwargs)

    async def post_json(self, path: str, body: dict, label: str, **kwargs) -> httpx.Response:
        """POST JSON with the CSRF header, as the pages' JavaScript does."""
        headers = {"X-CSRFToken": self.csrf, "Accept": "application/json"}
        return await self._timed(label, "POST", path, json=body, headers=headers, **kwargs)


# ---------------------------------------------------------------- flows


def load_flow_modules(names: list[str] | None = None) -> list:
    """Import bench/flows/*.py (or only the named ones)."""
    import bench.flows

    modules = []
    for info in pkgutil.iter_modules(bench.flows.__path__):
        if names and info.name not in names:
            continue
        modules.append(importlib.import_module(f"bench.flows.{info.name}"))
    return modules


# ---------------------------------------------------------------- data


def create_database(url: str) -> None:
    """Drop and create the bench database so every run starts the same."""
    import sqlalchemy as sa

    target = sa.make_url(url)
    if target.get_backend_name() == "sqlite":
        path = Path(target.database)
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


@contextmanager
def timed(what: str):
    """Print how long the block took: wall clock and this process's CPU (the rest of the wall
    time is the database working, or waiting for a core on a loaded machine)."""
    started, cpu = time.perf_counter(), time.process_time()
    yield
    print(
        f"  prepared {what} in {time.perf_counter() - started:.1f}s "
        f"(CPU here {time.process_time() - cpu:.1f}s)",
        flush=True,
    )


def prepare_data(url: str, scale: int, modules: list, caps: dict[str, int] | None = None) -> dict:
    """Migrate, load the shipped content, create users, then each flow module's data.

    `caps` limits the scale given to some modules (module name → largest scale), for flow
    modules whose data is built row by row and would take too long at the large size.
    """
    from flask_migrate import upgrade

    from bench import bulk
    from trainer import create_app
    from trainer.core.content import sync_content
    from trainer.extensions import db

    app = create_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        sync_content(app.config["CONTENT_ROOT"])
        db.session.commit()
        with timed("users"):
            users = create_users(scale)
        for module in modules:
            module_scale = min(scale, (caps or {}).get(module.__name__, scale))
            with timed(f"{module.__name__} (scale {module_scale})"):
                module.prepare(module_scale)
        with timed("ANALYZE"):
            bulk.analyze()
        db.engine.dispose()
    return users


def create_users(scale: int) -> dict[str, list[dict]]:
    """`scale` agents in teams of 20 with a manager each, plus trainers; one shared hash.

    Bulk inserts (bench/bulk.py) in the order a team-by-team build would use, so every user
    gets the same id as before: each team's manager, then its agents; the trainers last."""
    from bench import bulk
    from trainer.accounts.models import Team, User
    from trainer.accounts.passwords import hash_password
    from trainer.core.clock import utcnow
    from trainer.extensions import db

    password_hash = hash_password(PASSWORD)
    now = utcnow()
    teams = (scale + TEAM_SIZE - 1) // TEAM_SIZE
    names = [f"Bench team {t:03d}" for t in range(teams)]
    bulk.insert_rows(Team, ({"name": name, "created_at": now} for name in names))
    found = db.session.execute(db.select(Team.name, Team.id).where(Team.name.in_(names)))
    team_ids = dict(found.all())

    def person(email: str, name: str, role: str, team_id: int | None) -> dict:
        return {
            "email": email,
            "name": name,
            "role": role,
            "team_id": team_id,
            "password_hash": password_hash,
            "active": True,
            "created_at": now,
        }

    def people():
        for t, team in enumerate(names):
            team_id = team_ids[team]
            yield person(f"bench-manager-{t}@bench.local", f"主管{t:03d}", "manager", team_id)
            for i in range(t * TEAM_SIZE, min(scale, (t + 1) * TEAM_SIZE)):
                yield person(f"bench-agent-{i}@bench.local", f"客服{i:04d}", "agent", team_id)
        for i in range(max(2, scale // 100)):
            yield person(f"bench-trainer-{i}@bench.local", f"培训师{i}", "trainer", None)

    bulk.insert_rows(User, people())
    manager = (
        db.select(User.id).where(User.team_id == Team.id, User.role == "manager").scalar_subquery()
    )
    db.session.execute(
        db.update(Team).where(Team.name.in_(names)).values(manager_id=manager),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    users: dict[str, list[dict]] = {"agent": [], "manager": [], "trainer": []}
    found = db.session.execute(
        db.select(User.id, User.email, User.role)
        .where(User.email.like("bench-%@bench.local"))
        .order_by(User.id)
    )
    for user_id, email, role in found:
        users[role].append({"id": user_id, "email": email, "role": role})
    return users


# ---------------------------------------------------------------- load


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    """Sign in through the real login form."""
    page = await client.get("/login")
    token = CSRF_META.search(page.text).group(1)
    response = await client.post(
        "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    if response.status_code != 302:
        raise RequestFailed(f"login failed for {email}: HTTP {response.status_code}")


async def run_user(session: UserSession, flows: list[Flow], stop_at: float) -> None:
    """One signed-in virtual user: run random flows of its role until time is up."""
    samples = session.samples
    mine = [f for f in flows if f.role == session.user["role"]]
    while time.perf_counter() < stop_at and mine:
        flow = session.rng.choice(mine)
        try:
            await flow.run(session)
        except (RequestFailed, httpx.HTTPError) as error:
            samples.errors[f"flow: {flow.name}"] += 1
            if samples.errors[f"flow: {flow.name}"] <= 3:
                print(f"  ! {error}")


async def signed_in(base_url: str, users: list[dict], samples: Samples) -> list[UserSession]:
    """One signed-in client per user, 20 sign-ins at a time (not part of any timing)."""
    gate = asyncio.Semaphore(20)

    async def one(index: int, user: dict) -> UserSession:
        client = httpx.AsyncClient(base_url=base_url, timeout=60)
        async with gate:
            await sign_in(client, user["email"])
        return UserSession(client, user, samples, seed=index)

    return list(await asyncio.gather(*(one(i, u) for i, u in enumerate(users))))


async def run_load(base_url: str, users: list[dict], flows: list[Flow], seconds: float) -> Samples:
    """Sign every virtual user in, then run them all concurrently for `seconds`."""
    samples = Samples()
    sessions = await signed_in(base_url, users, samples)
    stop_at = time.perf_counter() + seconds
    try:
        await asyncio.gather(*(run_user(s, flows, stop_at) for s in sessions))
    finally:
        for s in sessions:
            await s.client.aclose()
    return samples


async def run_bare(base_url: str, concurrency: int, seconds: float) -> Samples:
    """The same concurrency against the bare endpoint."""
    samples = Samples()
    stop_at = time.perf_counter() + seconds

    async def loop() -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            while time.perf_counter() < stop_at:
                start = time.perf_counter()
                response = await client.get("/bare")
                samples.add("bare Flask endpoint", time.perf_counter() - start)
                if response.status_code != 200:
                    samples.errors["bare Flask endpoint"] += 1

    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return samples
