"""Time the team and org (all teams) scorecard pages and CSV exports in-process on a built data
set, e.g. the 10,000-agent one: `python -m bench --data large --prepare-only --database-url URL`
then `python -m bench.scorecards_large --database-url URL`.

Each request is made --repeat times through the Flask test client (no HTTP server, no other
load from this script); it prints the median wall time, the SQL statements per request, the
body size and, with --memory, the peak Python memory (tracemalloc) of the request.
"""

import argparse
import contextlib
import statistics
import time
import tracemalloc

from sqlalchemy import event

from bench.harness import PASSWORD

REPEAT = 5
ADMIN_EMAIL = "bench-admin@bench.local"
PAGES = (
    ("manager", "/scorecards/team"),
    ("manager", "/scorecards/team?sort=composite&dir=desc&status=watch"),
    ("manager", "/scorecards/team.csv"),
    ("admin", "/scorecards/team?team={team}"),
    ("admin", "/scorecards/incentives?team=all"),
    ("admin", "/scorecards/incentives?team=all&after={agent}"),  # a page deep in the ranking
    ("admin", "/scorecards/incentives.csv?team=all"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument(
        "--memory", action="store_true", help="trace peak Python memory (slows Python ~2×)"
    )
    args = parser.parse_args()

    from trainer import create_app
    from trainer.accounts.models import Team, User
    from trainer.accounts.passwords import hash_password
    from trainer.config import TestingConfig
    from trainer.extensions import db

    app = create_app(TestingConfig(), SQLALCHEMY_DATABASE_URI=args.database_url)
    with app.app_context():
        if db.session.scalar(db.select(User).where(User.email == ADMIN_EMAIL)) is None:
            db.session.add(
                User(
                    email=ADMIN_EMAIL,
                    name="管理员",
                    role="admin",
                    password_hash=hash_password(PASSWORD),
                )
            )
            db.session.commit()
        agents = db.session.scalar(db.select(db.func.count(User.id)).where(User.role == "agent"))
        team = db.session.scalar(db.select(Team).order_by(Team.id))
        manager_email = db.session.get(User, team.manager_id).email
        team_id = team.id
        middle = db.session.scalars(  # a cursor half-way down (any agent id is a valid cursor)
            db.select(User.id).where(User.role == "agent").order_by(User.id).offset(agents // 2)
        ).first()
    counter = {"n": 0}

    def count(*_args):
        counter["n"] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    clients = {}
    for role, email in (("manager", manager_email), ("admin", ADMIN_EMAIL)):
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, (email, response.status_code)
        clients[role] = client
    print(f"{agents} agents; team {team_id}")
    print(f"{'page':60} {'role':8} {'median s':>9} {'queries':>8} {'bytes':>10} {'peak MiB':>9}")
    for role, path in PAGES:
        url = path.format(team=team_id, agent=middle)
        times, peak, size = [], 0, 0
        for _ in range(args.repeat):
            counter["n"] = 0
            if args.memory:
                tracemalloc.start()
            started = time.perf_counter()
            with contextlib.closing(clients[role].get(url, buffered=True)) as response:
                size = len(response.get_data())
            times.append(time.perf_counter() - started)
            if args.memory:
                peak = max(peak, tracemalloc.get_traced_memory()[1])
                tracemalloc.stop()
            assert response.status_code == 200, (url, response.status_code)
        print(
            f"{url:60} {role:8} {statistics.median(times):9.3f} {counter['n']:8d} "
            f"{size:10d} {peak / 2**20:9.1f}"
        )


if __name__ == "__main__":
    main()
