"""`python -m bench` (or `make bench`): run the load benchmark and print a Markdown report.

Example: python -m bench --agents 1000 --users 30 --seconds 60
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import time
from pathlib import Path

from bench import harness

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/trainer_bench"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--agents", type=int, default=200, help="generated agents (data size)")
    parser.add_argument("--users", type=int, default=20, help="concurrent virtual users")
    parser.add_argument("--seconds", type=float, default=30, help="length of each load phase")
    parser.add_argument("--flows", default="", help="comma-separated flow modules (default all)")
    return parser.parse_args()


def pick_users(users: dict[str, list[dict]], count: int) -> list[dict]:
    """Mostly agents, with a few managers and trainers, as at peak training time."""
    rng = random.Random(7)
    managers = max(1, count // 10)
    trainers = max(1, count // 10)
    agents = max(1, count - managers - trainers)
    return (
        rng.sample(users["agent"], min(agents, len(users["agent"])))
        + rng.sample(users["manager"], min(managers, len(users["manager"])))
        + rng.sample(users["trainer"], min(trainers, len(users["trainer"])))
    )


def main() -> None:
    args = parse_args()
    modules = harness.load_flow_modules([n for n in args.flows.split(",") if n] or None)
    flows = [flow for module in modules for flow in module.FLOWS]
    print(f"flows: {', '.join(sorted({f.name for f in flows}))}")
    started = time.perf_counter()
    harness.create_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    users = harness.prepare_data(args.database_url, args.agents, modules)
    print(f"data ready in {time.perf_counter() - started:.0f}s")
    env = {
        "DATABASE_URL": args.database_url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379"),
        "TRAINER_LOGIN_RATE_LIMIT_IP": "100000 per minute",
        "TRAINER_LOGIN_RATE_LIMIT_ACCOUNT": "100000 per minute",
    }
    with contextlib.ExitStack() as stack:
        for module in modules:
            if hasattr(module, "server_env"):
                env.update(module.server_env(stack))
        with harness.gunicorn("bench.bare:app", env) as bare_url:
            bare = asyncio.run(harness.run_bare(bare_url, args.users, args.seconds))
        bare_p50 = harness.percentile(bare.times["bare Flask endpoint"], 50)
        chosen = pick_users(users, args.users)
        with harness.gunicorn("wsgi:app", env) as app_url:
            samples = asyncio.run(harness.run_load(app_url, chosen, flows, args.seconds))
    rows = harness.summarise(bare, args.seconds, bare_p50) + harness.summarise(
        samples, args.seconds, bare_p50
    )
    report = harness.markdown_table(rows)
    from bench import turn_cost

    turns = turn_cost.run(args.database_url)
    report += "\n\n" + turn_cost.markdown(turns)
    print()
    print(
        f"{args.agents} agents generated, {args.users} concurrent users, "
        f"{args.seconds:.0f}s per phase, {os.cpu_count()} cores"
    )
    print(report)
    out = Path(harness.ROOT / "bench" / "results")
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"{stamp}.json").write_text(
        json.dumps({"args": vars(args), "rows": rows, "turn_cost": turns}, indent=2)
    )
    (out / f"{stamp}.md").write_text(report + "\n")


if __name__ == "__main__":
    main()
