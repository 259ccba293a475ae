"""Background jobs on Huey, with a ledger in the database so no job is lost or run twice.

Huey carries the messages (SQLite file by default, Redis with `TRAINER_QUEUE_URL=redis://…`),
retries with back-off and runs the periodic schedule. Huey removes a message when a worker takes
it, so a worker killed mid-job would lose it; the `job_runs` ledger closes that gap:

* `enqueue()` adds a ledger row in the caller's transaction; the message is pushed to Huey only
  once that transaction commits (a rolled-back request enqueues nothing).
* A worker claims the row (queued → running, with a lease and a fresh token) before running it,
  and marks it done in the same transaction as the job's own writes, only if its token still
  holds. A second delivery of the same job finds it done or leased and does nothing.
* `recover()` (at worker start and every minute) re-pushes rows whose lease ran out: the job of
  a killed worker runs again, and its writes from the first try were never committed.

Jobs that must commit part-way (an LLM call never runs inside a write transaction) make their
effect idempotent themselves, e.g. with a unique key or a claim on the row they produce.
"""

import functools
import logging
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import and_, event, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from trainer.core import clock
from trainer.core.clock import utcnow
from trainer.core.jobmodels import DONE, FAILED, QUEUED, RUNNING, JobRun
from trainer.extensions import db

log = logging.getLogger(__name__)

# A queued message not picked up within this long is pushed again (a lost push, a dead queue).
PICKUP_GRACE = timedelta(minutes=5)
PENDING_KEY = "trainer_pending_jobs"

huey = Huey("trainer", results=False, storage_class=MemoryStorage)
_state: dict[str, Any] = {"app": None}


@dataclass(frozen=True)
class JobSpec:
    """A registered job: the function and its retry policy."""

    name: str
    func: Callable[..., Any]
    retries: int
    retry_delay: int
    backoff: float
    lease: timedelta
    # A config key holding the lease in seconds, read when the job is claimed (else `lease`).
    lease_setting: str | None = None
    # Free the key when a worker claims the job: an enqueue under the same key while it is still
    # queued returns it (a burst coalesces into one run), one after the claim queues a new run.
    coalesce: bool = False

    def lease_now(self) -> timedelta:
        """The lease to take now: the configured one, or the registered default."""
        if self.lease_setting is None:
            return self.lease
        return timedelta(seconds=float(current_app.config[self.lease_setting]))


@dataclass(frozen=True)
class Attempt:
    """The run a job function is executing in: its ledger row, try number and retry policy."""

    job_id: int
    number: int
    retries: int

    @property
    def last(self) -> bool:
        """True when a failure now would not be retried."""
        return self.number > self.retries


REGISTRY: dict[str, JobSpec] = {}
_attempt: ContextVar[Attempt | None] = ContextVar("trainer_job_attempt", default=None)


def current_attempt() -> Attempt | None:
    """The attempt being executed (inside a job function), else None."""
    return _attempt.get()


def job(
    name: str,
    *,
    retries: int = 3,
    retry_delay: int = 10,
    backoff: float = 2.0,
    lease_seconds: int = 900,
    lease_setting: str | None = None,
    coalesce: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register an idempotent job under `name`; `func.enqueue(*args, key=…)` queues it.

    `lease_setting` names a config key with the lease in seconds (read at each claim), for a
    lease a site tunes (and a test shortens) without a code change. With `coalesce`, the key
    only holds while the job waits in the queue: enqueues under it before a worker claims the
    job add nothing, the first one after the claim queues a fresh run (which sees their data)."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        REGISTRY[name] = JobSpec(
            name,
            func,
            retries,
            retry_delay,
            backoff,
            timedelta(seconds=lease_seconds),
            lease_setting,
            coalesce,
        )
        func.enqueue = lambda *args, key=None, **kwargs: enqueue(name, *args, key=key, **kwargs)
        func.job_name = name
        return func

    return register


def enqueue(name: str, *args: Any, key: str | None = None, **kwargs: Any) -> int:
    """Queue job `name` with JSON arguments; pushed when the caller's transaction commits.
    Returns the ledger row's id.

    With a `key`, a job already queued or run under that key is not queued again (a reminder
    per enrolment and day, the sweep per day); the existing row's id is returned.
    """
    if name not in REGISTRY:
        raise KeyError(f"unknown job {name!r}")
    key = key or f"{name}:{uuid.uuid4().hex}"
    values = {"key": key, "name": name, "args": list(args), "kwargs": kwargs}
    statement = _insert_statement(db.session.get_bind().dialect.name)
    added = db.session.execute(statement, {**values, "lease_until": utcnow()}).scalar()
    if added is None:  # the key was there already (rowcount is unreliable with psycopg)
        return db.session.scalar(db.select(JobRun.id).where(JobRun.key == key))
    db.session.info.setdefault(PENDING_KEY, []).append((added, name))
    return added


@functools.cache
def _insert_statement(dialect: str):
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, built once per dialect (a submit queues a
    job inside its write transaction): two callers racing on one key get one row, and no
    savepoint is needed (pysqlite would commit the caller's transaction on RELEASE)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = JobRun.__table__
    return insert(table).on_conflict_do_nothing().returning(table.c.id)


@event.listens_for(Session, "after_commit")
def _push_after_commit(session: Session) -> None:
    # No SQL here: the session has just committed and is between transactions.
    for job_id, name in session.info.pop(PENDING_KEY, []):
        push(job_id, REGISTRY.get(name))


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def push(job_id: int, spec: JobSpec | None) -> None:
    """Hand a ledger row to Huey (with the job's retry policy)."""
    task = run_job.s(job_id)
    if spec is not None:
        task.retries, task.retry_delay, task.retry_backoff = (
            spec.retries,
            spec.retry_delay,
            spec.backoff,
        )
    if huey.immediate:  # tests: the job runs here and now, and its errors are the caller's
        huey.enqueue(task)
        return
    try:
        huey.enqueue(task)
    except Exception:  # noqa: BLE001 - a queue that is down (Redis) must not fail the request
        # The ledger row stays queued; recover() sends it again once the queue is back.
        log.warning("queue unreachable: job %s stays queued until recover() re-sends it", job_id)


@huey.task(name="trainer.run_job")
def run_job(job_id: int) -> None:
    """The one Huey task: run ledger row `job_id` inside a fresh app context."""
    app = _state["app"]
    with app.app_context():
        execute(job_id)


def execute(job_id: int, now: datetime | None = None) -> bool:
    """Claim and run one ledger row; False when it was done or is leased by another worker."""
    now, token = now or utcnow(), uuid.uuid4().hex
    run = db.session.get(JobRun, job_id)
    spec = REGISTRY.get(run.name) if run else None
    if spec is None:
        log.error("job %s: no such row or unknown job name", job_id)
        return False
    # A coalescing job gives its key up with the claim (the claim commits before the job reads).
    freed = (
        {"key": f"{run.key}#{job_id}"}
        if spec.coalesce and not run.key.endswith(f"#{job_id}")
        else {}
    )
    claim = db.session.execute(
        update(JobRun)
        .where(
            JobRun.id == job_id,
            or_(JobRun.status == QUEUED, and_(JobRun.status == RUNNING, JobRun.lease_until < now)),
        )
        .values(
            status=RUNNING,
            token=token,
            attempts=JobRun.attempts + 1,
            lease_until=now + spec.lease_now(),
            updated_at=now,
            **freed,
        )
    )
    db.session.commit()
    if claim.rowcount != 1:
        return False
    db.session.refresh(run)
    attempt = _attempt.set(Attempt(job_id, run.attempts, spec.retries))
    try:
        spec.func(*run.args, **run.kwargs)
        db.session.flush()
        finished = db.session.execute(
            update(JobRun)
            .where(JobRun.id == job_id, JobRun.token == token)
            .values(status=DONE, finished_at=utcnow(), updated_at=utcnow(), error=None)
        )
        if finished.rowcount != 1:  # another worker took over after our lease ran out
            db.session.rollback()
            return False
        db.session.commit()
        return True
    except Exception as error:
        db.session.rollback()
        _record_failure(job_id, token, spec, error)
        raise
    finally:
        _attempt.reset(attempt)


def _record_failure(job_id: int, token: str, spec: JobSpec, error: Exception) -> None:
    run = db.session.get(JobRun, job_id)
    final = run.attempts > spec.retries
    delay = spec.retry_delay * (spec.backoff ** max(run.attempts - 1, 0))
    db.session.execute(
        update(JobRun)
        .where(JobRun.id == job_id, JobRun.token == token)
        .values(
            status=FAILED if final else QUEUED,
            error=f"{type(error).__name__}: {error}"[:2000],
            lease_until=utcnow() + timedelta(seconds=delay),
            updated_at=utcnow(),
        )
    )
    db.session.commit()
    log.exception("job %s (%s) failed, attempt %s", job_id, spec.name, run.attempts)


def find(key: str) -> JobRun | None:
    """The ledger row queued under `key`, if any."""
    return db.session.scalar(db.select(JobRun).where(JobRun.key == key))


def retry_failed(key: str) -> bool:
    """Queue a job that failed for good once more, with a fresh count of tries; True if it was
    failed. Pushed when the caller's transaction commits."""
    now = utcnow()
    run = find(key)
    if run is None:
        return False
    again = db.session.execute(
        update(JobRun)
        .where(JobRun.id == run.id, JobRun.status == FAILED)
        .values(status=QUEUED, attempts=0, token=None, error=None, lease_until=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if again.rowcount != 1:
        return False
    db.session.info.setdefault(PENDING_KEY, []).append((run.id, run.name))
    return True


def recover(now: datetime | None = None) -> int:
    """Push again every job whose worker died (lease over) or whose message got lost."""
    now = now or utcnow()
    stale = db.session.scalars(
        db.select(JobRun).where(
            or_(
                and_(JobRun.status == RUNNING, JobRun.lease_until < now),
                and_(JobRun.status == QUEUED, JobRun.lease_until < now - PICKUP_GRACE),
            )
        )
    ).all()
    for run in stale:
        run.status, run.lease_until, run.updated_at = QUEUED, now, now
    db.session.commit()
    for run in stale:
        push(run.id, REGISTRY.get(run.name))
    return len(stale)


def org_local_time(moment: datetime, zone: str | None = None) -> datetime:
    """`moment` (aware, or naive UTC as Huey passes it) in the organisation's zone (the clock's,
    unless `zone` names another)."""
    if zone is None:
        return clock.local(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo(zone))


def daily(name: str, at_setting: str) -> None:
    """Enqueue job `name` once a day at the org-zone "HH:MM" held in config `at_setting`.

    Every worker runs the schedule; the day's key makes the job happen once however many do.
    """

    def due(moment: datetime) -> bool:
        app = _state["app"]
        if app is None:
            return False
        local = org_local_time(moment, app.config["TRAINER_TIMEZONE"])
        return local.strftime("%H:%M") == app.config[at_setting]

    def fire() -> None:
        app = _state["app"]
        with app.app_context():
            local = org_local_time(utcnow())
            enqueue(name, key=f"{name}@{local.date().isoformat()}")
            db.session.commit()

    fire.__name__ = f"daily_{name.replace('.', '_')}"
    huey.periodic_task(due, name=f"trainer.daily.{name}")(fire)


@huey.periodic_task(lambda moment: True, name="trainer.recover")
def _recover_every_minute() -> None:
    app = _state["app"]
    if app is not None:
        with app.app_context():
            recover()


def configure(app: Flask) -> None:
    """Point the queue at the app's storage (SQLite file, Redis, or immediate for tests)."""
    _state["app"] = app
    url = app.config["TRAINER_QUEUE_URL"]
    huey.name = app.config["TRAINER_QUEUE_NAME"]
    huey.immediate = False
    if url.startswith(("redis://", "rediss://", "unix://")):
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": url}
    else:
        path = url.removeprefix("sqlite:///")
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": path}
    huey.storage = huey.create_storage()
    huey.immediate = bool(app.config.get("TRAINER_QUEUE_IMMEDIATE"))
