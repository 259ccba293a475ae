"""The job queue on real storage (SQLite file and Redis): ledger, retries, kills, schedule."""

import time
import uuid
from datetime import UTC, datetime

import pytest

from tests.jobs.conftest import job_row, run_queued, wait_for
from trainer.core import jobs
from trainer.core.audit import AuditEvent
from trainer.core.jobmodels import DONE, FAILED, QUEUED, RUNNING, JobRun
from trainer.extensions import db


def stamps(action: str, key: str) -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.subject_id == key)
    )


def test_enqueue_pushes_only_after_commit(queue):
    run_id = jobs.enqueue("tests.slow_stamp", "a", 0)
    assert len(queue) == 0  # still inside the caller's transaction
    db.session.commit()
    assert len(queue) == 1
    assert run_queued(queue) == 1
    assert job_row(run_id).status == DONE
    assert stamps("test.stamp", "a") == 1


def test_rolled_back_transaction_enqueues_nothing(queue):
    jobs.enqueue("tests.slow_stamp", "b", 0)
    db.session.rollback()
    assert len(queue) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(JobRun)) == 0


def test_same_key_is_queued_once(queue):
    first_id = jobs.enqueue("tests.slow_stamp", "c", 0, key="stamp:c")
    second_id = jobs.enqueue("tests.slow_stamp", "c", 0, key="stamp:c")
    db.session.commit()
    assert first_id == second_id
    assert len(queue) == 1


def test_a_second_delivery_does_nothing(queue):
    run_id = jobs.enqueue("tests.slow_stamp", "d", 0)
    db.session.commit()
    jobs.push(run_id, jobs.REGISTRY["tests.slow_stamp"])  # a duplicate message
    assert run_queued(queue) == 2
    assert stamps("test.stamp", "d") == 1


def test_failures_are_retried_with_backoff_then_succeed(queue):
    key = uuid.uuid4().hex
    run_id = jobs.enqueue("tests.flaky", key, 2)
    db.session.commit()
    task = queue.dequeue()
    assert (task.retries, task.retry_backoff) == (3, 1.0)
    queue.execute(task)
    db.session.expire_all()
    assert job_row(run_id).status == QUEUED
    assert "planned failure 1" in job_row(run_id).error
    deadline = time.monotonic() + 10
    while job_row(run_id).status != DONE and time.monotonic() < deadline:
        for task in queue.read_schedule(datetime.now(UTC).replace(tzinfo=None)):
            queue.execute(task)
        run_queued(queue)
        db.session.expire_all()
        time.sleep(0.05)
    assert job_row(run_id).status == DONE
    assert job_row(run_id).attempts == 3
    assert stamps("test.flaky", key) == 1


def test_a_job_failing_every_time_ends_failed(queue):
    key = uuid.uuid4().hex
    run_id = jobs.enqueue("tests.flaky", key, 99)
    db.session.commit()
    for _ in range(4):
        with pytest.raises(RuntimeError):
            jobs.execute(run_id)
    assert jobs.execute(run_id) is False  # failed for good: not claimed again
    db.session.expire_all()
    assert job_row(run_id).status == FAILED
    assert job_row(run_id).attempts == 4
    assert stamps("test.flaky", key) == 0


def test_killed_worker_job_runs_exactly_once_after_restart(queue, worker, app):
    run_id = jobs.enqueue("tests.slow_stamp", "kill-me", 3)
    db.session.commit()
    worker.start()
    wait_for(lambda: job_row(run_id).status == RUNNING, worker=worker)
    worker.kill()  # SIGKILL in the middle of the job
    assert stamps("test.stamp", "kill-me") == 0
    assert len(queue) == 0  # Huey had already taken the message: only the ledger knows
    time.sleep(2.2)  # the job's lease (2 s) runs out
    worker.start()
    wait_for(lambda: job_row(run_id).status == DONE, worker=worker)
    assert stamps("test.stamp", "kill-me") == 1
    assert job_row(run_id).attempts == 2


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        (datetime(2026, 12, 3, 18, 30), True),  # 02:30 in Shanghai on the 4th
        (datetime(2026, 12, 4, 2, 30), False),  # 02:30 UTC is 10:30 in Shanghai
    ],
)
def test_daily_jobs_follow_the_organisation_zone(app, utc, expected):
    app.config["TRAINER_SWEEP_AT"] = "02:30"
    local = jobs.org_local_time(utc)
    assert (local.strftime("%H:%M") == "02:30") is expected
    due = jobs.huey._registry.string_to_task("trainer.core.jobs.trainer.daily.certification.sweep")
    assert due().validate_datetime(utc) is expected


def test_the_daily_sweep_is_enqueued_once_per_local_day(queue):
    fire = jobs.huey._registry.string_to_task("trainer.core.jobs.trainer.daily.certification.sweep")
    fire().execute()
    fire().execute()  # a second worker's scheduler fires too
    db.session.expire_all()
    runs = db.session.scalars(db.select(JobRun).where(JobRun.name == "certification.sweep")).all()
    assert len(runs) == 1
    assert run_queued(queue) == 1
    db.session.expire_all()
    assert job_row(runs[0].id).status == DONE, job_row(runs[0].id).error


def test_the_queue_runs_on_the_storage_the_test_names(queue, request):
    """Every queue test runs twice: on Huey's SQLite file and on Redis (its own database
    number and queue name; CI requires Redis with QUEUE_REDIS_REQUIRED=1)."""
    from huey.storage import RedisStorage, SqliteStorage

    from tests.jobs.conftest import REDIS_URL

    kind = request.node.callspec.params["queue"]
    if kind == "redis":
        assert isinstance(queue.storage, RedisStorage)
        assert queue.storage.conn.connection_pool.connection_kwargs["db"] == int(
            REDIS_URL.rsplit("/", 1)[1]
        )
    else:
        assert isinstance(queue.storage, SqliteStorage)
    assert queue.name.startswith("test-")
    run_id = jobs.enqueue("tests.slow_stamp", f"storage-{kind}", 0)
    db.session.commit()
    assert len(queue) == 1 and run_queued(queue) == 1
    assert job_row(run_id).status == DONE
