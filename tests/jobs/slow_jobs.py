"""Jobs used by the queue tests only (imported by the worker with `--import`)."""

import time

from trainer.core import audit
from trainer.core.jobs import job


class Stamp:
    """A stand-in subject for the audit row the test job writes."""

    __tablename__ = "test_stamp"

    def __init__(self, key: str) -> None:
        self.id = key


@job("tests.slow_stamp", retries=2, retry_delay=1, backoff=2.0, lease_seconds=2)
def slow_stamp(key: str, seconds: float) -> None:
    """Wait, then write one audit row for `key` (the effect that must happen exactly once)."""
    time.sleep(seconds)
    audit.record(None, "test.stamp", Stamp(key))


FAILURES: dict[str, int] = {}


@job("tests.flaky", retries=3, retry_delay=0, backoff=1.0)
def flaky(key: str, fail_times: int) -> None:
    """Fail `fail_times` times, then write one audit row."""
    FAILURES[key] = FAILURES.get(key, 0) + 1
    if FAILURES[key] <= fail_times:
        raise RuntimeError(f"planned failure {FAILURES[key]}")
    audit.record(None, "test.flaky", Stamp(key))
