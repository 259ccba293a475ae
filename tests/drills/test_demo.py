"""`flask seed-demo` adds finished drill runs for the demo agent, once: the agent's drill
history and the manager's peak-readiness view are not empty after `make run`."""

from trainer.accounts.demo import DEMO_USERS
from trainer.drills import demo
from trainer.drills.models import DrillRun
from trainer.drills.readiness import team_readiness
from trainer.drills.results import summarise_runs
from trainer.extensions import db


def _login(app, role: str):
    spec = next(u for u in DEMO_USERS if u["role"] == role)
    client = app.test_client()
    client.post("/login", data={"email": spec["email"], "password": spec["password"]})
    return client


def test_seed_demo_adds_graded_drill_runs_once(app, runner):
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    for _ in range(2):
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
    runs = db.session.scalars(db.select(DrillRun).order_by(DrillRun.started_at)).all()
    assert len(runs) == len(demo.DEMO_RUNS)
    assert {r.user.email for r in runs} == {"agent@demo.trainer"}
    summaries = summarise_runs(runs)
    scores = [summaries[r.id].score for r in runs]
    assert None not in scores and scores == sorted(scores) and scores[0] < scores[-1]
    assert summaries[runs[0].id].abandoned > 0 and summaries[runs[-1].id].abandoned == 0
    manager = next(r.user for r in runs).team.manager
    lines = team_readiness(manager)
    line = next(x for x in lines if x.user.email == "agent@demo.trainer")
    assert line.runs == len(demo.DEMO_RUNS) and line.trend == scores[-5:]
    assert line.ready


def test_demo_drill_pages_show_the_runs(app, runner):
    runner.invoke(args=["content", "sync"])
    runner.invoke(args=["seed-demo"])
    run = db.session.scalars(db.select(DrillRun)).first()
    agent = _login(app, "agent")
    page = agent.get("/drills/").get_data(as_text=True)
    assert f"/drills/runs/{run.id}/results" in page
    assert agent.get(f"/drills/runs/{run.id}/results").status_code == 200
    manager = _login(app, "manager")
    readiness = manager.get("/drills/team/")
    assert readiness.status_code == 200 and "李小美" in readiness.get_data(as_text=True)
