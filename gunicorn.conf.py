"""Gunicorn settings. Threaded workers: a role-play turn waits on a slow LLM, and a sync worker
held by it would stall every other user's page."""

import multiprocessing
import os

bind = os.environ.get("TRAINER_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# Two workers per core: a worker runs Python on one core at a time (one interpreter lock), and
# kept-alive connections stay with the worker that took them, so with one worker per core a
# worker holding more of them than the others runs out of core while another core idles. With
# two per core the connections spread evenly enough for every core to work (bench, 2 cores:
# quiz autosave 0.35 -> 0.41x the bare endpoint, 200 quiz starts at once p95 1.02 -> 0.86 s).
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, 2 * multiprocessing.cpu_count())))
# A role-play turn waiting on the model holds a thread (not a database connection: the turn hands
# it back before streaming), and an idle thread costs little memory, so a worker keeps enough
# threads for many waiting turns and still serves pages: 4 workers × 16 threads (2 cores) let 60
# turns wait on a silent model while the other pages keep their speed (docs/operations.md).
threads = int(os.environ.get("TRAINER_THREADS", 16))
timeout = 120  # streamed role-play replies can take a while; threads keep other requests moving
graceful_timeout = 30
keepalive = 5
accesslog = os.environ.get("TRAINER_ACCESS_LOG", "-")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel spreads new
# connections over them. On one shared socket the worker that last went back to waiting takes
# most of them: 18 of the bench's 20 kept-alive connections went to one worker, which then
# served 90 % of the requests on one core (one interpreter lock) while the other core idled
# (docs/operations.md). A unix socket path cannot be bound once per worker, so not there.
reuse_port = not bind.startswith("unix:") and os.environ.get("TRAINER_REUSE_PORT", "1") != "0"


def on_starting(server):
    """Refuse several workers with a per-process login limiter: each would count on its own,
    so an attacker would get 5 guesses per account per minute *per worker*."""
    store = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    if server.cfg.workers > 1 and store.startswith("memory://"):
        raise SystemExit(
            f"gunicorn: {server.cfg.workers} workers need a shared login-throttling store; set "
            "RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379 (or WEB_CONCURRENCY=1)."
        )


def post_worker_init(worker):
    """Compile the templates once, before the worker's threads all compile them for their first
    pages (trainer/core/warmup.py)."""
    from trainer.core.warmup import warm_up

    if hasattr(worker.wsgi, "jinja_env"):
        warm_up(worker.wsgi)
