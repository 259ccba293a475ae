"""Queue fixtures: real Huey storage (a SQLite file or Redis) with a queue name per test."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

import tests.jobs.slow_jobs  # noqa: F401 - registers the test jobs in this process
from trainer.core import jobs
from trainer.core.jobmodels import JobRun
from trainer.extensions import db

ROOT = Path(__file__).resolve().parents[2]
# A database number of its own (and a queue name per test): the tests never touch other data on
# a shared Redis. CI sets QUEUE_REDIS_REQUIRED=1 so a missing Redis fails instead of skipping.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def _redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["sqlite", "redis"])
def queue(request, app, tmp_path):
    """The app switched to a real queue: SQLite storage in tmp, or Redis on loopback."""
    if request.param == "redis" and not _redis_available():
        if os.environ.get("QUEUE_REDIS_REQUIRED"):
            pytest.fail(f"Redis is required (QUEUE_REDIS_REQUIRED) but not reachable: {REDIS_URL}")
        pytest.skip(f"Redis is not running at {REDIS_URL}")
    name = f"test-{uuid.uuid4().hex[:12]}"
    url = REDIS_URL if request.param == "redis" else f"sqlite:///{tmp_path / 'queue.db'}"
    app.config.update(TRAINER_QUEUE_URL=url, TRAINER_QUEUE_NAME=name, TRAINER_QUEUE_IMMEDIATE=False)
    jobs.configure(app)
    yield jobs.huey
    jobs.huey.storage.flush_all()
    if request.param == "redis":
        jobs.huey.storage.conn.close()


def run_queued(huey) -> int:
    """Run every message now in the queue in this process (what one worker would do)."""
    count = 0
    while (task := huey.dequeue()) is not None:
        try:
            huey.execute(task)
        finally:
            count += 1
    return count


class Worker:
    """A real `flask worker` process against the test's database and queue.

    Its compiled modules are kept (in PYTHONPYCACHEPREFIX if set, else in `bytecode`, both
    outside the source tree) even where PYTHONDONTWRITEBYTECODE is set: compiling the app's
    imports again took each start about 2.5 s of CPU, and the tests start a worker a dozen times.
    """

    def __init__(self, app, tmp_path: Path, bytecode: Path) -> None:
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHONPYCACHEPREFIX": os.environ.get("PYTHONPYCACHEPREFIX") or str(bytecode),
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "TRAINER_QUEUE_URL": app.config["TRAINER_QUEUE_URL"],
            "TRAINER_QUEUE_NAME": app.config["TRAINER_QUEUE_NAME"],
            "TRAINER_INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "worker-test",
        }
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.log = tmp_path / "worker.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "flask", "--app", "trainer", "worker", "-w", "1"]
        command += ["--no-periodic", "--import", "tests.jobs.slow_jobs"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - fixed command line
                command, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=20)


@pytest.fixture
def worker(app, tmp_path, worker_bytecode):
    """A worker process handle; killed at the end of the test whatever happened."""
    handle = Worker(app, tmp_path, worker_bytecode)
    yield handle
    handle.kill()


def wait_for(predicate, timeout: float = 40.0, worker: Worker | None = None):
    """Poll the database until `predicate()` is truthy (fresh reads each time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        db.session.rollback()
        if value := predicate():
            return value
        time.sleep(0.1)
    log = worker.log.read_text(errors="replace")[-3000:] if worker else ""
    raise AssertionError(f"timed out waiting; worker log:\n{log}")


def job_row(run_id: int) -> JobRun:
    return db.session.get(JobRun, run_id)
