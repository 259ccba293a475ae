"""Scorecard and certification flows for the load benchmark.

prepare() gives every bench agent 90 days of daily KPI figures (bulk inserts: 1,000 agents ×
90 days = 90,000 rows), their teams daily team figures, approved OKRs for a third of the agents
and an L1 certification for a fifth, so scorecards, incentives and reviews have real work.
"""

import random
import re
import time
from datetime import timedelta

from bench import bulk
from bench.harness import Flow, UserSession

AGENT_LINK = re.compile(r"/scorecards/agents/(\d+)")
HISTORY_DAYS = 90


def _kpi_rows(agent_ids: list[int], end, rng: random.Random):
    """Yield daily figures for each agent, each with a fixed skill level."""
    from trainer.scorecards.demo import daily_figures

    start = end - timedelta(days=HISTORY_DAYS - 1)
    days = [start + timedelta(days=index) for index in range(HISTORY_DAYS)]
    for agent_id in agent_ids:
        skill = rng.random()
        agent_rng = random.Random(agent_id)
        for index, day in enumerate(days):
            figures = daily_figures(agent_rng, skill, day, False, index)
            yield {"agent_id": agent_id, "day": day, "source": "bench", **figures}


def _bulk_insert(model, rows) -> int:
    """Insert generated rows, stamped `updated_at` now (COPY on PostgreSQL: bench/bulk.py)."""
    from trainer.core.clock import utcnow

    return bulk.insert_rows(model, rows, updated_at=utcnow())


def _okrs(agents, quarter: str, rng: random.Random) -> None:
    """An approved OKR set per agent: three objectives of two key results (bulk inserts; the
    random targets are drawn in the same order as one set at a time)."""
    from trainer.core.clock import utcnow
    from trainer.extensions import db
    from trainer.scorecards.okr_models import APPROVED, OkrKeyResult, OkrObjective, OkrSet

    now = utcnow()
    titles = ("高峰快捷回复库", "售后流程优化", "主动服务")
    results = []  # (agent id, objective position, key result row)
    for agent in agents:
        for position in range(len(titles)):
            for kr_position in range(2):
                target = rng.choice((10, 50, 90))
                row = {
                    "position": kr_position,
                    "title": f"关键结果 {kr_position + 1}",
                    "target": target,
                    "current": round(target * rng.random(), 1),
                }
                results.append((agent.id, position, row))
    bulk.insert_rows(
        OkrSet,
        (
            {
                "agent_id": agent.id,
                "quarter": quarter,
                "status": APPROVED,
                "submitted_at": now,
                "decided_at": now,
                "created_at": now,
            }
            for agent in agents
        ),
    )
    set_ids = dict(
        db.session.execute(
            db.select(OkrSet.id, OkrSet.agent_id).where(OkrSet.quarter == quarter)
        ).all()
    )
    bulk.insert_rows(
        OkrObjective,
        (
            {"set_id": set_id, "position": position, "title": title}
            for set_id in set_ids
            for position, title in enumerate(titles)
        ),
    )
    objectives = db.session.execute(
        db.select(OkrObjective.id, OkrObjective.set_id, OkrObjective.position).where(
            OkrObjective.set_id.in_(db.select(OkrSet.id).where(OkrSet.quarter == quarter))
        )
    ).all()
    objective_ids = {
        (set_ids[set_id], position): objective_id for objective_id, set_id, position in objectives
    }
    bulk.insert_rows(
        OkrKeyResult,
        (
            {"objective_id": objective_ids[(agent_id, position)], **row}
            for agent_id, position, row in results
        ),
    )


def _certifications(agents, now) -> None:
    """A granted L1 certification with its certificate per agent (bulk inserts)."""
    from trainer.certification.certificates import new_code
    from trainer.certification.models import GRANTED, Certificate, Certification
    from trainer.extensions import db

    granted = now - timedelta(days=30)
    bulk.insert_rows(
        Certification,
        (
            {
                "user_id": agent.id,
                "level": "L1",
                "status": GRANTED,
                "source": "override",
                "granted_at": granted,
                "decided_at": granted,
                "reason": "bench data",
                "evidence": {},
                "created_at": now,
            }
            for agent in agents
        ),
    )
    names = {agent.id: agent.name for agent in agents}
    found = db.session.execute(
        db.select(Certification.id, Certification.user_id).where(
            Certification.reason == "bench data", Certification.user_id.in_(list(names))
        )
    ).all()
    bulk.insert_rows(
        Certificate,
        (
            {
                "certification_id": certification_id,
                "code": new_code(),
                "holder_name": names[user_id],
                "level": "L1",
                "level_name": {"zh_CN": "认证客服", "en": "Certified agent"},
                "issued_at": granted,
            }
            for certification_id, user_id in found
        ),
    )


def prepare(scale: int) -> None:
    """KPI history for every bench agent and team, some OKRs and L1 certifications."""
    from trainer.accounts.models import Team, User
    from trainer.core.clock import today, utcnow
    from trainer.extensions import db
    from trainer.scorecards.models import KpiRecord, TeamKpiRecord
    from trainer.scorecards.periods import quarter_of

    rng = random.Random(scale)
    agents = list(
        db.session.scalars(
            db.select(User)
            .where(User.role == "agent", User.email.like("bench-agent-%"))
            .order_by(User.id)
        )
    )
    end = today() - timedelta(days=1)
    started = time.perf_counter()
    with bulk.indexes_after(KpiRecord):
        written = _bulk_insert(KpiRecord, _kpi_rows([a.id for a in agents], end, rng))
    teams = list(db.session.scalars(db.select(Team.id).where(Team.name.like("Bench team %"))))
    team_rows = (
        {
            "team_id": team_id,
            "day": end - timedelta(days=i),
            "cost_saving_rate": round(rng.gauss(12, 3), 1),
            "churn_rate": round(abs(rng.gauss(5.5, 1)), 1),
            "source": "bench",
        }
        for team_id in teams
        for i in range(HISTORY_DAYS)
    )
    written += _bulk_insert(TeamKpiRecord, team_rows)
    _okrs(agents[::3], quarter_of(today()), rng)
    _certifications(agents[1::5], utcnow())
    db.session.commit()
    print(f"    scorecards: {written} KPI rows in {time.perf_counter() - started:.1f}s")


async def agent_checks_scorecard(s: UserSession) -> None:
    """An agent looks at this month, then the quarter, their level and now and then their OKRs."""
    await s.get("/scorecards/", label="scorecards: my scorecard (month)")
    await s.get("/scorecards/?period=quarter", label="scorecards: my scorecard (quarter)")
    await s.get("/certification/", label="certification: my level")
    if s.rng.random() < 0.3:
        await s.get("/okrs/", label="scorecards: my OKRs")
    if s.rng.random() < 0.3:
        await s.get("/scorecards/incentives/me", label="scorecards: my incentive score")


async def manager_reviews_team(s: UserSession) -> None:
    """A manager reads and sorts the team scorecard, opens an agent, checks incentives."""
    html = await s.get("/scorecards/team", label="scorecards: team scorecard")
    await s.get(
        "/scorecards/team?sort=composite&dir=desc&status=watch",
        label="scorecards: team scorecard sorted+filtered",
    )
    agent_ids = AGENT_LINK.findall(html)
    if agent_ids:
        agent_id = s.rng.choice(agent_ids)
        await s.get(f"/scorecards/agents/{agent_id}", label="scorecards: an agent's scorecard")
    await s.get("/scorecards/incentives", label="scorecards: incentive ranking")
    await s.get("/certification/review", label="certification: team review")
    if s.rng.random() < 0.2:
        await s.get("/scorecards/team.csv", label="scorecards: team CSV export")
        await s.get("/scorecards/incentives.csv", label="scorecards: incentive CSV export")


FLOWS = [
    Flow("scorecard check", role="agent", run=agent_checks_scorecard),
    Flow("team scorecard review", role="manager", run=manager_reviews_team),
]
