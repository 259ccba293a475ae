"""Demo data for `flask seed-demo`: finished drill runs of the demo agent, so the agent's drill
history and the manager's peak-readiness view show something on first start.

The runs are played like real ones: each customer arrives on the drill's schedule, a served
customer is a scripted role-play session (graded offline, as the demo role-plays), a customer
who got no reply in time followed up and left. The figures come from `drills.results` as for
any run.
"""

from datetime import datetime, timedelta

from flask import current_app

from trainer.core.clock import utcnow
from trainer.drills import catalog, figures
from trainer.drills import content as drill_content
from trainer.drills.models import FINISHED, DrillCustomer, DrillRun
from trainer.drills.spec import expand_arrivals
from trainer.extensions import db
from trainer.roleplay import catalog as scenarios
from trainer.roleplay.simulate import simulate_session

DEMO_DRILL = "live-room-flash-sale"
# Each run: (days ago, seconds to the first reply per customer in arrival order; None: never
# answered, the customer left). The agent gets faster from run to run: a trend to show.
DEMO_RUNS = [
    (12, [20, 26, 35, 48, None, 28, None, 33, 41, 25]),
    (6, [12, 18, 24, 29, 36, 22, 27, None, 19, 26]),
    (2, [8, 12, 15, 21, 26, 14, 18, 23, 11, 16]),
]
AGENT_TEXTS = [
    "您好，抱歉让您久等了！我马上帮您查看订单和库存情况。",
    "已经核实清楚了：按平台规则和活动说明为您处理，处理结果会同步到订单里，请您放心。",
    "还有其他问题随时找我，祝您购物愉快！",
]


def _drill():
    drill = catalog.get_drill(DEMO_DRILL)
    if drill is None:
        drill_content.sync(current_app.config["CONTENT_ROOT"])
        drill = catalog.get_drill(DEMO_DRILL)
    return drill


def _play(agent, drill, started_at: datetime, replies: list[int | None]) -> DrillRun:
    spec = drill.current_version.spec
    patience = spec["patience"]
    run = DrillRun(
        user_id=agent.id,
        drill=drill,
        version=drill.current_version,
        status=FINISHED,
        started_at=started_at,
        ends_at=started_at + timedelta(seconds=spec["length"]),
        finished_at=started_at + timedelta(seconds=spec["length"]),
    )
    arrivals = expand_arrivals(spec)
    for n, arrival in enumerate(arrivals, start=1):
        arrives_at = started_at + timedelta(seconds=arrival.at)
        customer = DrillCustomer(position=n, scenario_slug=arrival.scenario, arrives_at=arrives_at)
        reply = replies[(n - 1) % len(replies)]
        late = reply is None or reply >= patience["follow_up_after"]
        if late:  # keep the demo simple: a customer who had to follow up was lost
            customer.followed_up_at = arrives_at + timedelta(seconds=patience["follow_up_after"])
            customer.left_at = arrives_at + timedelta(seconds=patience["leave_after"])
        else:
            session = simulate_session(
                agent,
                scenarios.get_scenario(arrival.scenario),
                AGENT_TEXTS,
                started_at=arrives_at,
                reply_seconds=reply,
            )
            customer.session_id = session.id
        run.customers.append(customer)
    db.session.add(run)
    db.session.flush()
    return run


def seed(users: dict) -> None:
    """Add the demo agent's finished drill runs once (idempotent)."""
    agent = users["agent"]
    if db.session.scalar(db.select(DrillRun.id).where(DrillRun.user_id == agent.id).limit(1)):
        return
    drill = _drill()
    if drill is None or drill.current_version is None:
        return  # no shipped drills in this installation
    slugs = {a.scenario for a in expand_arrivals(drill.current_version.spec)}
    if any(scenarios.get_scenario(slug) is None for slug in slugs):
        return  # the scenarios were not loaded (the role-play seeder loads them first)
    now = utcnow()
    played = [
        _play(agent, drill, now - timedelta(days=days_ago, hours=3), replies)
        for days_ago, replies in DEMO_RUNS
    ]
    figures.store(played)
