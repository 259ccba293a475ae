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
    # model calls take every thread of 2 workers; the defaults keep 64 threads on 2 cores.
    import runpy

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["worker_class"] == "gthread"
    if "TRAINER_THREADS" not in os.environ and "WEB_CONCURRENCY" not in os.environ:
        assert settings["threads"] >= 16
        assert settings["workers"] * settings["threads"] >= 64


def _settings(monkeypatch, **env: str) -> dict:
    import runpy

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_each_worker_listens_on_a_socket_of_its_own(monkeypatch):
    # One shared socket let one worker take most kept-alive connections (docs/operations.md).
    assert _settings(monkeypatch, TRAINER_BIND="127.0.0.1:8000")["reuse_port"] is True


def test_workers_share_a_unix_socket_which_cannot_be_bound_once_per_worker(monkeypatch):
    assert _settings(monkeypatch, TRAINER_BIND="unix:/run/trainer.sock")["reuse_port"] is False


def test_a_worker_compiles_the_templates_before_its_first_page(app, monkeypatch, agent_client):
    from types import SimpleNamespace

    from jinja2 import TemplateNotFound

    _settings(monkeypatch)["post_worker_init"](SimpleNamespace(wsgi=app))
    names = {n for n in app.jinja_env.list_templates() if n.endswith(".html")}
    assert names and names <= {name for _loader, name in app.jinja_env.cache}

    def no_source(*_args):
        raise TemplateNotFound("compiled at start-up, never read again")

    monkeypatch.setattr(app.jinja_env.loader, "get_source", no_source)
    response = agent_client.get("/")  # every template the home page includes is compiled
    assert response.status_code == 200
    assert b'data-testid="home-actions"' in response.data
