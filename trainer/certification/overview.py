"""Page data: an agent's level page and a manager's review of the team's levels."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from trainer.accounts.models import User
from trainer.certification.engine import Evaluation
from trainer.certification.ladder import Ladder, Level, current_ladder
from trainer.certification.models import GRANTED, PROPOSED, Certification
from trainer.certification.presenting import Requirement, present
from trainer.certification.services import evaluate_users, history, open_certifications


@dataclass
class AgentLevel:
    """One agent's standing: level, next level's requirements, proposals and notices."""

    agent: User
    level: Level
    next_level: Level | None
    evaluation: Evaluation
    requirements: list[Requirement] = field(default_factory=list)
    granted: list[Certification] = field(default_factory=list)
    proposals: list[Certification] = field(default_factory=list)

    @property
    def notices(self) -> list[Certification]:
        return [c for c in self.granted if c.noticed_at is not None]

    @property
    def missing(self) -> list[Requirement]:
        return [r for r in self.requirements if not r.met]


def _standing(
    agent: User, evaluation: Evaluation, certs: list[Certification], ladder: Ladder, detailed: bool
) -> AgentLevel:
    granted = sorted(
        (c for c in certs if c.status == GRANTED),
        key=lambda c: -(ladder.level(c.level).rank if ladder.level(c.level) else 0),
    )
    return AgentLevel(
        agent=agent,
        level=ladder.level(evaluation.level) or ladder.base,
        next_level=ladder.level(evaluation.next_level),
        evaluation=evaluation,
        requirements=present(evaluation.checks) if detailed else [],
        granted=granted,
        proposals=[c for c in certs if c.status == PROPOSED],
    )


def agent_level(agent: User, now: datetime) -> tuple[AgentLevel, list[Certification]]:
    """An agent's standing with readable requirements, and their certification history."""
    ladder = current_ladder()
    evaluation = evaluate_users([agent], now, ladder)[agent.id]
    certs = open_certifications([agent.id]).get(agent.id, [])
    return _standing(agent, evaluation, certs, ladder, detailed=True), history(agent.id)


def team_levels(agents: Sequence[User], now: datetime) -> list[AgentLevel]:
    """Every agent's standing, for the manager's review page (bounded queries)."""
    ladder = current_ladder()
    evaluations = evaluate_users(agents, now, ladder)
    certs = open_certifications([a.id for a in agents])
    return [
        _standing(a, evaluations[a.id], certs.get(a.id, []), ladder, detailed=False) for a in agents
    ]
