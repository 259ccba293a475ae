"""Turn cost against conversation length: turn 2 vs turn 40 with the scripted customer.

The customer's state is stored with the session, so answering turn 40 must cost what turn 2
costs. Several long chats run in-process through the real endpoints (Flask test client, real
database, scripted engine with no typing delay, so the whole request is server overhead); each
POST is timed until its streamed reply is fully read (wall clock, and this process's CPU time,
steadier on a busy machine). The case passes when the median wall time of turns 38-40 is within
20% of the median of turns 2-4.

Run alone: `python -m bench.turn_cost [--database-url URL] [--chats N]` (SQLite in a temporary
directory by default); `python -m bench` runs it after the load phases on the bench database.
"""

import argparse
import copy
import statistics
import tempfile
import time
from pathlib import Path

TURNS = 40
EARLY, LATE = (2, 3, 4), (38, 39, 40)
LIMIT = 1.2
SOURCE_SCENARIO = "aftersales-seven-day-return-dress"
SLUG = "bench-long-chat"
# A helpful answer that does not meet the customer's goal, so the chat goes on.
FILLER = "商家收到退货后 48 小时内审核（第 {n} 条说明）。"
PASSWORD = "Bench-Turns-2026"  # noqa: S105 - throwaway account on a throwaway database


def _prepare(app) -> None:
    """Migrate, load the shipped scenarios, add the long-chat scenario and a bench agent."""
    from flask_migrate import upgrade

    from trainer.accounts.models import User
    from trainer.accounts.passwords import hash_password
    from trainer.extensions import db
    from trainer.roleplay import catalog, content

    upgrade()
    if catalog.get_scenario(SOURCE_SCENARIO) is None:
        content.sync(app.config["CONTENT_ROOT"])
    if catalog.get_scenario(SLUG) is None:
        spec = copy.deepcopy(catalog.get_scenario(SOURCE_SCENARIO).current_version.spec)
        spec["slug"] = SLUG
        spec["end"]["max_turns"] = TURNS + 10
        spec["persona"]["patience"] = 5
        catalog.save_version(spec, None, source="file", publish=True)
    if db.session.scalar(db.select(User).where(User.email == "bench-turns@bench.local")) is None:
        db.session.add(
            User(
                email="bench-turns@bench.local",
                name="客服长对话",
                role="agent",
                password_hash=hash_password(PASSWORD),
            )
        )
    db.session.commit()


def _chat(app) -> tuple[list[float], list[float]]:
    """One long chat; the seconds each agent turn took, wall and CPU (index 0 is turn 1)."""
    client = app.test_client()
    form = {"email": "bench-turns@bench.local", "password": PASSWORD}
    assert client.post("/login", data=form).status_code == 302
    started = client.post(f"/roleplay/scenarios/{SLUG}/start")
    session_id = int(started.headers["Location"].rstrip("/").split("/")[-1])
    times, cpu = [], []
    for n in range(1, TURNS + 1):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        response = client.post(
            f"/roleplay/sessions/{session_id}/turns",
            json={"text": FILLER.format(n=n)},
            buffered=True,
        )
        body = response.get_data(as_text=True)
        times.append(time.perf_counter() - begin)
        cpu.append(time.process_time() - begin_cpu)
        if response.status_code != 200 or '"type": "done"' not in body:
            raise RuntimeError(f"turn {n}: HTTP {response.status_code} {body[-200:]}")
        if '"ended": true' in body and n < TURNS:
            raise RuntimeError(f"the customer ended the chat at turn {n}")
    client.post(f"/roleplay/sessions/{session_id}/end")
    return times, cpu


def turns_app(url: str):
    """The app as the turn benches measure it: scripted customer with no typing delay, no
    turn-rate or login limits, plain http (the CSRF check costs the same on every turn)."""
    from trainer import create_app

    return create_app(
        SQLALCHEMY_DATABASE_URI=url,
        ROLEPLAY_ENGINE="scripted",
        ROLEPLAY_SCRIPTED_DELAY=0.0,
        ROLEPLAY_TURNS_PER_MINUTE=100_000,
        SESSION_COOKIE_SECURE=False,
        WTF_CSRF_ENABLED=False,
        LOGIN_RATE_LIMIT_IP="100000 per minute",
        LOGIN_RATE_LIMIT_ACCOUNT="100000 per minute",
    )


def run(database_url: str | None = None, chats: int = 5) -> dict:
    """Play `chats` long chats; medians of early and late turns (ms), their ratio, pass/fail."""
    with tempfile.TemporaryDirectory() as folder:
        app = turns_app(database_url or f"sqlite:///{Path(folder) / 'turns.db'}")
        with app.app_context():
            _prepare(app)
            runs = [_chat(app) for _ in range(chats)]
            from trainer.extensions import db

            db.engine.dispose()

    def median_ms(kind: int, turns: tuple[int, ...]) -> float:
        return statistics.median(r[kind][n - 1] for r in runs for n in turns) * 1000

    early, late = median_ms(0, EARLY), median_ms(0, LATE)
    early_cpu, late_cpu = median_ms(1, EARLY), median_ms(1, LATE)
    ratio = late / early
    ok = ratio <= LIMIT
    return {
        "chats": chats,
        "early_ms": early,
        "late_ms": late,
        "ratio": ratio,
        "early_cpu_ms": early_cpu,
        "late_cpu_ms": late_cpu,
        "cpu_ratio": late_cpu / early_cpu,
        "ok": ok,
    }


def markdown(result: dict) -> str:
    """The result as a small Markdown table."""
    verdict = "within 20%" if result["ok"] else "MORE THAN 20% SLOWER"
    return "\n".join(
        [
            f"Turn cost vs conversation length ({result['chats']} scripted chats of {TURNS} turns)",
            "",
            "| turns | median ms per turn | median CPU ms per turn |",
            "|---|---:|---:|",
            f"| 2-4 | {result['early_ms']:.1f} | {result['early_cpu_ms']:.1f} |",
            f"| 38-40 | {result['late_ms']:.1f} | {result['late_cpu_ms']:.1f} |",
            f"| ratio | {result['ratio']:.2f} ({verdict}) | {result['cpu_ratio']:.2f} |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--chats", type=int, default=5)
    args = parser.parse_args()
    result = run(args.database_url, args.chats)
    print(markdown(result))
    raise SystemExit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
