"""The production server setup: several workers must share one login-throttling store."""

import os
import subprocess
import sys

from trainer.config import ROOT


def _start(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "TRAINER_BIND": "127.0.0.1:0", **env_overrides}
    return subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_several_workers_with_a_per_process_limiter_refuse_to_start():
    result = _start({"WEB_CONCURRENCY": "3", "RATELIMIT_STORAGE_URI": "memory://"})
    assert result.returncode != 0
    assert "RATELIMIT_STORAGE_URI=redis://" in result.stdout + result.stderr


def test_a_worker_keeps_threads_for_pages_while_many_turns_wait_on_the_model():
    # A waiting role-play turn holds a thread (docs/operations.md): 8 per worker let 16 silent
    # model calls take every thread of 2 workers.
    import runpy

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["worker_class"] == "gthread"
    if "TRAINER_THREADS" not in os.environ:
        assert settings["threads"] >= 32
