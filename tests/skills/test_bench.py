"""The bench flow's data step: snapshots for the bench agents."""

from bench.flows import skills as skills_flow
from trainer.extensions import db
from trainer.skills.models import SkillSnapshot


def test_bench_prepare_refreshes_bench_agents(content, make_user, make_graded):
    agent = make_user("agent", email="bench-agent-1@example.org")
    other = make_user("agent")
    make_graded(agent, "aftersales-seven-day-return-dress", {"checked_condition": 0})
    db.session.commit()
    skills_flow.prepare(1)
    rows = db.session.scalars(db.select(SkillSnapshot.user_id)).all()
    assert rows == [agent.id] and other.id not in rows
    assert [f.name for f in skills_flow.FLOWS] == ["skills heatmap", "my skills"]
