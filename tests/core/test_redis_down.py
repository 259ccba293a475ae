"""Redis down: login throttling and the job queue degrade as docs/operations.md says; the app
keeps serving.

A private redis-server on a free port (never the shared one) carries the limiter and the queue;
the test kills it while users work, then starts it again. Without a redis-server binary the
closed-port test still runs.
"""

import contextlib
import shutil
import socket
import subprocess
import time
import uuid
from datetime import timedelta

import pytest
import redis

from tests.conftest import PASSWORD
from trainer import config as app_config
from trainer import create_app
from trainer.core import jobs
from trainer.core.clock import utcnow
from trainer.core.jobmodels import QUEUED, JobRun
from trainer.extensions import db


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test only, in a temporary directory, without persistence."""

    def __init__(self, tmp_path) -> None:
        self.port = _free_port()
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.dir)]
        self.process = subprocess.Popen(  # noqa: S603 - fixed command line
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        client = redis.Redis.from_url(self.url, socket_timeout=0.5)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis(tmp_path):
    """Start a private redis-server (skipped when the binary is missing); killed at the end."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@contextlib.contextmanager
def _app_on(app, url: str):
    """An app on the test's database with the limiter and the queue on `url`, inside its context.

    Its engine is disposed on the way out: its pooled connections would otherwise be closed by
    the garbage collector (psycopg warns then, in whatever test happens to be running).
    """
    served = create_app(
        app_config.TestingConfig(),
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_STORAGE_URI=url,
        RATELIMIT_STORAGE_OPTIONS={"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        LOGIN_RATE_LIMIT_ACCOUNT="3 per minute",
        TRAINER_QUEUE_URL=url,
        TRAINER_QUEUE_NAME=f"test-{uuid.uuid4().hex[:12]}",
        TRAINER_QUEUE_IMMEDIATE=False,
    )
    with served.app_context():
        try:
            yield served
        finally:
            db.session.remove()
            db.engine.dispose()


def _emails(*users) -> list[str]:
    """The users' emails, read before switching apps: inside another app's context, the test's
    session would load expired attributes through that app's engine and keep its connection past
    the engine's disposal (a psycopg connection then left to the garbage collector)."""
    emails = [user.email for user in users]
    db.session.commit()
    return emails


def _login(client, email: str, password: str) -> int:
    return client.post("/login", data={"email": email, "password": password}).status_code


def test_redis_down_login_throttling_and_queue_degrade_and_recover(app, make_user, private_redis):
    agent, other = _emails(make_user("agent"), make_user("agent"))
    with _app_on(app, private_redis.url) as served:
        client = served.test_client()
        # Redis up: the shared store counts the guesses.
        assert [_login(client, agent, "wrong") for _ in range(3)] == [200, 200, 200]
        assert _login(client, agent, "wrong") == 429
        assert redis.Redis.from_url(private_redis.url).keys("LIMITS*")

        private_redis.kill()

        # Redis down: a login works, guessing is still throttled (per process), no 500.
        assert _login(client, other, PASSWORD) == 302
        assert client.get("/").status_code == 200
        guesses = [_login(client, agent, "wrong") for _ in range(4)]
        assert 500 not in guesses and guesses[-1] == 429
        # The queue: the request that enqueues a mail succeeds; the job waits in the ledger.
        forgot = client.post("/password/forgot", data={"email": other})
        assert forgot.status_code == 302
        run = db.session.scalar(
            db.select(JobRun).where(JobRun.name == "accounts.password_reset_mail")
        )
        assert run is not None and run.status == QUEUED

        # Redis back: recover() sends the waiting job, a worker would now run it.
        private_redis.start()
        assert jobs.recover(utcnow() + timedelta(minutes=10)) >= 1
        assert jobs.huey.pending_count() >= 1
        assert _login(client, other, PASSWORD) == 302


def test_a_closed_redis_port_never_fails_a_login(app, make_user):
    (agent,) = _emails(make_user("agent"))
    with _app_on(app, f"redis://127.0.0.1:{_free_port()}/0") as served:  # nothing listens there
        client = served.test_client()
        assert _login(client, agent, PASSWORD) == 302
        assert client.get("/").status_code == 200
        statuses = [_login(client, agent, "wrong") for _ in range(5)]
        assert 500 not in statuses and statuses[-1] == 429
