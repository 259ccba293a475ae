"""Server cost of one turn: a single role-play chat and a peak drill, side by side.

Both run in-process through the real endpoints (Flask test client, real database, scripted
customer with no typing delay, so the whole request is server overhead). Each agent message is
measured until its streamed reply is fully read: CPU time of this process (`time.process_time`,
steadier than the wall clock on a shared machine), wall time, and the SQL statements it issued.

- role-play: `chats` chats of `turn_cost.TURNS` turns on the long-chat scenario;
- drill: `runs` drills whose five customers (the same long-chat scenario) arrive at once; the
  agent answers them in turn, `ROUNDS` messages each, then finishes the drill.

Run alone: `python -m bench.drill_turns [--database-url URL] [--chats N] [--runs N]` (SQLite in
a temporary directory by default).
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench import turn_cost

DRILL_SLUG = "bench-turns-five-at-once"
CUSTOMERS, ROUNDS = 5, 8
DRILL_YAML = f"""\
slug: {DRILL_SLUG}
title: {{zh_CN: 压测：五位顾客同时到来, en: "Bench: five customers at once"}}
length: 3600
patience: {{follow_up_after: 3000, leave_after: 3500}}
scenarios:
  - {{scenario: {turn_cost.SLUG}}}
arrivals:
  - burst: {{count: {CUSTOMERS}, within: 0, at: 0}}
"""


class _Measure:
    """CPU ms, wall ms and SQL statements of each measured request."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.statements = 0
        self.cpu: list[float] = []
        self.wall: list[float] = []
        self.queries: list[int] = []
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args, **_kwargs) -> None:
        self.statements += 1

    def post(self, client, url: str, text: str) -> str:
        """POST the agent's message, read the whole streamed reply; its body."""
        self.statements = 0
        cpu, wall = time.process_time(), time.perf_counter()
        response = client.post(url, json={"text": text}, buffered=True)
        body = response.get_data(as_text=True)
        self.cpu.append((time.process_time() - cpu) * 1000)
        self.wall.append((time.perf_counter() - wall) * 1000)
        self.queries.append(self.statements)
        if response.status_code != 200 or '"type": "done"' not in body:
            raise RuntimeError(f"{url}: HTTP {response.status_code} {body[-200:]}")
        return body

    def summary(self) -> dict:
        return {
            "turns": len(self.cpu),
            "cpu_ms": statistics.median(self.cpu),
            "wall_ms": statistics.median(self.wall),
            "queries": statistics.median(self.queries),
            "queries_max": max(self.queries),
        }


def _prepare_drill() -> None:
    from trainer.drills import catalog
    from trainer.drills.spec import parse_drill
    from trainer.extensions import db

    if catalog.get_drill(DRILL_SLUG) is None:
        catalog.save_version(parse_drill(DRILL_YAML), DRILL_YAML, source=catalog.FILE)
        db.session.commit()


def _login(app):
    client = app.test_client()
    form = {"email": "bench-turns@bench.local", "password": turn_cost.PASSWORD}
    assert client.post("/login", data=form).status_code == 302
    return client


def _chats(app, measure: _Measure, chats: int) -> None:
    client = _login(app)
    for _ in range(chats):
        started = client.post(f"/roleplay/scenarios/{turn_cost.SLUG}/start")
        session_id = int(started.headers["Location"].rstrip("/").split("/")[-1])
        url = f"/roleplay/sessions/{session_id}/turns"
        for n in range(1, turn_cost.TURNS + 1):
            measure.post(client, url, turn_cost.FILLER.format(n=n))
        client.post(f"/roleplay/sessions/{session_id}/end")


def _drills(app, measure: _Measure, runs: int) -> None:
    client = _login(app)
    for _ in range(runs):
        started = client.post(f"/drills/{DRILL_SLUG}/start")
        run_id = int(started.headers["Location"].rstrip("/").split("/")[-1])
        client.post(f"/drills/runs/{run_id}/tick")
        for n in range(1, ROUNDS + 1):
            for position in range(1, CUSTOMERS + 1):
                url = f"/drills/runs/{run_id}/customers/{position}/turns"
                measure.post(client, url, turn_cost.FILLER.format(n=n))
        client.post(f"/drills/runs/{run_id}/finish")


def run(database_url: str | None = None, chats: int = 3, runs: int = 3) -> dict:
    """Measure role-play and drill turns; their medians (CPU ms, wall ms, queries)."""
    with tempfile.TemporaryDirectory() as folder:
        app = turn_cost.turns_app(database_url or f"sqlite:///{Path(folder) / 'turns.db'}")
        with app.app_context():
            from trainer.extensions import db

            turn_cost._prepare(app)
            _prepare_drill()
            roleplay, drill = _Measure(db.engine), _Measure(db.engine)
            _chats(app, roleplay, chats)
            _drills(app, drill, runs)
            db.engine.dispose()
    return {"roleplay": roleplay.summary(), "drill": drill.summary()}


def markdown(result: dict) -> str:
    """The result as a small Markdown table."""
    lines = [
        "Server cost per turn (in-process, scripted customer, no typing delay; medians)",
        "",
        "| turn | turns | CPU ms | wall ms | queries (max) |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, key in (("role-play", "roleplay"), ("drill (5 customers)", "drill")):
        row = result[key]
        lines.append(
            f"| {label} | {row['turns']} | {row['cpu_ms']:.1f} | {row['wall_ms']:.1f} "
            f"| {row['queries']:g} ({row['queries_max']}) |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--chats", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(markdown(run(args.database_url, args.chats, args.runs)))


if __name__ == "__main__":
    main()
