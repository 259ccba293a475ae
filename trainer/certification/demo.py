"""Demo data for `flask seed-demo`: evaluate the demo team and leave a promotion to approve.

The sweep proposes whatever the demo evidence earns. The demo agent rarely has every course,
quiz and role-play of L1 done at this point, so when the sweep proposes nothing for them the
demo trainer nominates them — a proposal the manager can still only approve as an override
with a reason, exactly as in real use. A teammate holds L1 from before the system existed.
"""

from trainer.accounts.services import get_user_by_email
from trainer.certification import services
from trainer.certification.models import Certification
from trainer.extensions import db
from trainer.scorecards.demo import TEAMMATES
from trainer.scorecards.teamcard import team_agents

CERTIFIED_BEFORE = TEAMMATES[0][0]  # 陈晓, the strongest teammate


def seed_demo(users: dict) -> None:
    """Grant a teammate's earlier L1, run the sweep, and make sure a proposal is waiting."""
    manager, agent, trainer = users["manager"], users["agent"], users["trainer"]
    if manager.team_id is None:
        return
    veteran = get_user_by_email(CERTIFIED_BEFORE)
    has_rows = (
        db.session.scalar(
            db.select(Certification.id).where(Certification.user_id == veteran.id).limit(1)
        )
        if veteran
        else True
    )
    if veteran is not None and not has_rows:
        services.grant_override(
            veteran, "L1", manager, reason="上线前已通过线下认证考核（纸质证书 2025 年）。"
        )
    services.sweep(team_agents(manager.team_id))
    has_proposal = db.session.scalar(
        db.select(Certification.id).where(Certification.user_id == agent.id).limit(1)
    )
    if has_proposal is None:
        evaluation = services.evaluate_user(agent)
        if evaluation.next_level is not None:
            services.propose(
                agent,
                evaluation,
                actor=trainer,
                source="nomination",
                reason="演示：培训师推荐晋升，请主管结合证据审批。",
            )
    db.session.flush()
