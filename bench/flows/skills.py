"""Skills flows for the load benchmark: the team heatmap (+ filters, CSV, drill-down), the
agent's own skills page and home panel.

prepare() refreshes every bench agent's skill snapshot from the evidence the other flows'
prepare() steps wrote (graded role-plays, KPI history), so the home panel has next steps.
"""

import re
import time

from bench.harness import Flow, UserSession

AGENT_LINK = re.compile(r"/skills/agents/(\d+)")


def prepare(scale: int) -> None:
    """Snapshots for every bench agent (one bounded `collect` per chunk)."""
    from trainer.accounts.models import User
    from trainer.extensions import db
    from trainer.skills import snapshots, store

    ids = list(
        db.session.scalars(
            db.select(User.id).where(User.role == "agent", User.email.like("bench-agent-%"))
        )
    )
    started = time.perf_counter()
    skill_map = store.active_map()
    for start in range(0, len(ids), 500):
        snapshots.refresh(skill_map, ids[start : start + 500])
    db.session.commit()
    print(f"    skills: {len(ids)} snapshots in {time.perf_counter() - started:.1f}s")


async def manager_reads_heatmap(s: UserSession) -> None:
    """A manager opens the team heatmap, filters weak agents in a skill, drills down, exports."""
    html = await s.get("/skills/team", label="skills: team heatmap")
    await s.get("/skills/team?skill=verify_facts&level=weak", label="skills: heatmap filtered")
    agent_ids = AGENT_LINK.findall(html)
    if agent_ids:
        await s.get(f"/skills/agents/{s.rng.choice(agent_ids)}", label="skills: agent evidence")
    if s.rng.random() < 0.2:
        await s.get("/skills/team.csv", label="skills: heatmap CSV export")
    if s.rng.random() < 0.2:
        await s.get("/skills/effects", label="skills: did it work")


async def agent_checks_skills(s: UserSession) -> None:
    """An agent looks at the home page (next steps panel) and their skills page."""
    await s.get("/", label="skills: home with next steps")
    await s.get("/skills/", label="skills: my skills")


FLOWS = [
    Flow("skills heatmap", role="manager", run=manager_reads_heatmap),
    Flow("my skills", role="agent", run=agent_checks_skills),
]
