"""Server CPU per request under gunicorn: the bare endpoint and the signed-in hot paths.

The figure the ratios to bare are made of, without the load generator's share of the cores: one
client sends the requests one after the other, and the CPU the gunicorn master and workers
spent (`/proc/<pid>/stat`, user + system) is divided by their number. Three rounds per path,
the median printed (and each round).

    python -m bench --prepare-only --database-url sqlite:////tmp/bench.db
    python -m bench.server_cost --database-url sqlite:////tmp/bench.db [--n 500] [--agent 5]
"""

import argparse
import os
import random
import secrets
import statistics
import tempfile
from pathlib import Path

import httpx

from bench import server
from bench.flows.quizzes import ATTEMPT, QUIZ, attempt_questions, autosave_body
from bench.harness import CSRF_META, PASSWORD


def _family(master: int) -> list[int]:
    """The gunicorn master and its workers."""
    found = [master]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            found.append(int(stat.parent.name))
    return found


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def _signed_in_paths(client: httpx.Client, agent: int) -> dict:
    """(name → one request) for the signed-in paths; an attempt is started for autosave."""
    token = CSRF_META.search(client.get("/login").text).group(1)
    form = {"csrf_token": token, "email": f"bench-agent-{agent}@bench.local", "password": PASSWORD}
    if client.post("/login", data=form).status_code != 302:
        raise RuntimeError("login failed")
    token = CSRF_META.search(client.get(f"/quizzes/{QUIZ}").text).group(1)
    started = client.post(f"/quizzes/{QUIZ}/start", data={"csrf_token": token})
    attempt = ATTEMPT.search(started.headers["location"]).group(1)
    page = client.get(f"/quizzes/attempts/{attempt}").text
    questions = attempt_questions(page)
    rng = random.Random(1)
    headers = {"X-CSRFToken": token, "Accept": "application/json"}

    def autosave():
        url = f"/quizzes/attempts/{attempt}/answers"
        return client.post(url, json=autosave_body(questions, rng), headers=headers)

    return {
        "signed-in /healthz": lambda: client.get("/healthz"),
        "quiz autosave": autosave,
        "quiz page": lambda: client.get(f"/quizzes/{QUIZ}"),
        "agent home": lambda: client.get("/"),
    }


def _measure(pids: list[int], request, n: int) -> list[float]:
    """Milliseconds of server CPU per request, for three rounds of `n` (after 50 unmeasured)."""
    for _ in range(50):
        request()
    rounds = []
    for _ in range(3):
        before = _cpu_seconds(pids)
        for _ in range(n):
            response = request()
            if response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
        rounds.append((_cpu_seconds(pids) - before) / n * 1000)
    return rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--n", type=int, default=500, help="requests per round")
    parser.add_argument("--agent", type=int, default=5, help="bench agent number to sign in")
    args = parser.parse_args()
    env = {
        "DATABASE_URL": args.database_url,
        "TRAINER_INSTANCE_PATH": tempfile.mkdtemp(prefix="trainer-server-cost-"),
        "SECRET_KEY": secrets.token_urlsafe(32),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379"),
        "TRAINER_LOGIN_RATE_LIMIT_IP": "100000 per minute",
        "TRAINER_LOGIN_RATE_LIMIT_ACCOUNT": "100000 per minute",
    }
    print("| path | server CPU ms per request (median) | rounds |")
    print("|---|---:|---|")
    for app_path in ("bench.bare:app", "bench.app:app"):
        masters: list[int] = []
        with server.gunicorn(app_path, env, pids=masters) as url, httpx.Client(base_url=url) as c:
            pids = _family(masters[0])
            if app_path == "bench.bare:app":
                paths = {"bare Flask endpoint": lambda c=c: c.get("/bare")}
            else:
                paths = _signed_in_paths(c, args.agent)
            for name, request in paths.items():
                rounds = _measure(pids, request, args.n)
                shown = ", ".join(f"{r:.2f}" for r in rounds)
                print(f"| {name} | {statistics.median(rounds):.2f} | {shown} |", flush=True)


if __name__ == "__main__":
    main()
