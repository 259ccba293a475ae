"""In-process CPU per request of the quiz hot paths, next to `/healthz` through the same app.

Wall times on a shared machine swing by several ×; the CPU one request costs in the process
(`time.process_time`, median of many) does not, so this is the figure to compare before → after
for the app's per-request work (session and user lookup, CSRF, limiter, locale, headers). The
app is built as `wsgi.py` builds it (production configuration: CSRF on, the login limiter's
storage from RATELIMIT_STORAGE_URI) on an existing bench database, and driven with the Flask
test client by one signed-in bench agent.

Prepare a database once, then measure:
    python -m bench --prepare-only --agents 40 --flows quizzes,courses \
        --database-url sqlite:////tmp/bench.db
    python -m bench.request_cost --database-url sqlite:////tmp/bench.db [--n 1000]
        [--profile autosave]   # a pyinstrument profile of that path instead of the table
"""

import argparse
import os
import secrets
import statistics
import time

from bench.flows.quizzes import ATTEMPT, QUIZ, attempt_questions, autosave_body
from bench.harness import CSRF_META, PASSWORD


def _client(app, agent: int):
    """A test client signed in as bench agent `agent`; its CSRF token."""
    client = app.test_client()
    token = CSRF_META.search(client.get("/login").get_data(as_text=True)).group(1)
    form = {"csrf_token": token, "email": f"bench-agent-{agent}@bench.local", "password": PASSWORD}
    response = client.post("/login", data=form)
    if response.status_code != 302:
        raise RuntimeError(f"login failed: HTTP {response.status_code}")
    page = client.get(f"/quizzes/{QUIZ}").get_data(as_text=True)
    return client, CSRF_META.search(page).group(1)


def _a_lesson(client) -> str:
    """The URL of a lesson the signed-in agent can read (the first of a course they can open)."""
    import html

    from bench.flows.courses import CARD, LESSON_LINK

    catalogue = client.get("/courses/").get_data(as_text=True)
    for slug in CARD.findall(catalogue):
        page = client.get(f"/courses/{slug}").get_data(as_text=True)
        links = [u for u in LESSON_LINK.findall(page) if u.startswith(f"/courses/{slug}/")]
        if links:
            return html.unescape(links[0])
    raise RuntimeError("no readable lesson for the bench agent")


def paths(app, agent: int = 1):
    """(name, one request) for each measured path; every request is checked for its status."""
    import random

    client, token = _client(app, agent)
    started = client.post(f"/quizzes/{QUIZ}/start", data={"csrf_token": token})
    attempt = ATTEMPT.search(started.headers["Location"]).group(1)
    page = client.get(f"/quizzes/attempts/{attempt}").get_data(as_text=True)
    questions = attempt_questions(page)
    rng = random.Random(1)
    headers = {"X-CSRFToken": token, "Accept": "application/json"}

    def autosave():
        url = f"/quizzes/attempts/{attempt}/answers"
        return client.post(url, json=autosave_body(questions, rng), headers=headers), 200

    def sitting():
        # The running attempt (if any) is submitted first, so that every start draws a new one.
        response = client.post(f"/quizzes/{QUIZ}/start", data={"csrf_token": token})
        started = ATTEMPT.search(response.headers["Location"]).group(1)
        url = f"/quizzes/attempts/{started}/submit"
        return client.post(url, data={"csrf_token": token}), 302

    lesson = _a_lesson(client)
    return [
        ("healthz", lambda: (client.get("/healthz"), 200)),
        ("agent home", lambda: (client.get("/"), 200)),
        ("lesson page", lambda: (client.get(lesson), 200)),
        ("quiz autosave", autosave),
        ("quiz page", lambda: (client.get(f"/quizzes/{QUIZ}"), 200)),
        ("quiz attempt page", lambda: (client.get(f"/quizzes/attempts/{attempt}"), 200)),
        ("quiz start + submit", sitting),
    ]


def measure(request, n: int) -> tuple[float, float]:
    """Median CPU and wall milliseconds of `n` requests (after 20 unmeasured ones)."""
    cpu, wall = [], []
    for i in range(n + 20):
        c0, w0 = time.process_time(), time.perf_counter()
        response, expected = request()
        response.get_data()
        c1, w1 = time.process_time(), time.perf_counter()
        if response.status_code != expected:
            raise RuntimeError(f"HTTP {response.status_code}: {response.get_data()[:300]!r}")
        if i >= 20:
            cpu.append((c1 - c0) * 1000)
            wall.append((w1 - w0) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--n", type=int, default=1000, help="requests per path")
    parser.add_argument("--agent", type=int, default=1, help="bench agent number to sign in")
    parser.add_argument("--profile", default="", help="profile this path (pyinstrument)")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(32))
    os.environ.setdefault("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    from trainer import create_app

    app = create_app()
    measured = paths(app, args.agent)
    if args.profile:
        from pyinstrument import Profiler

        request = dict(measured)[args.profile]
        measure(request, 50)
        with Profiler(interval=0.0002) as profiler:
            measure(request, args.n)
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return
    print("| path | CPU ms (median) | wall ms (median) |")
    print("|---|---:|---:|")
    for name, request in measured:
        if name == "quiz start + submit":
            continue  # every sitting adds to the agent's history: profile it, do not tabulate
        cpu, wall = measure(request, args.n)
        print(f"| {name} | {cpu:.2f} | {wall:.2f} |")


if __name__ == "__main__":
    main()
