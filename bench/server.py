"""Servers under test: gunicorn with the project's configuration on a free local port."""

import contextlib
import os
import socket
import subprocess
import sys
import time

import httpx

from bench.harness import ROOT


def free_port() -> int:
    """An unused local TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app_path: str, env: dict[str, str], pids: list[int] | None = None):
    """Run gunicorn with the project's config (gthread workers) on a free port; its master's
    process id is appended to `pids` when given."""
    port = free_port()
    full_env = {
        **os.environ,
        **env,
        "TRAINER_BIND": f"127.0.0.1:{port}",
        "TRAINER_ACCESS_LOG": "/dev/null",
    }
    process = subprocess.Popen(  # noqa: S603 - fixed local command
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app_path],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if pids is not None:
        pids.append(process.pid)
    # The app's jobs (LLM grading, mail) need a worker, as `make run` starts one.
    worker = None
    if "bare" not in app_path:
        worker = subprocess.Popen(  # noqa: S603 - fixed local command
            [sys.executable, "-m", "flask", "--app", "trainer", "worker", "-w", "2"],
            cwd=ROOT,
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(url + "/bare" if "bare" in app_path else url + "/healthz").status_code:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"gunicorn for {app_path} did not start")
        yield url
    finally:
        for proc in (process, worker):
            if proc is None:
                continue
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
