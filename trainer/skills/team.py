"""The team views of skills: the heatmap (agents × skills), its CSV, and "did it work".

Managers see their own team; trainers and admins every team (optionally one). Everything is
computed from one `collect` over the agents in scope, so the query count does not grow with
the number of agents or evidence (tests/skills/test_queries.py).
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trainer.accounts.models import Team, User
from trainer.core.clock import utcnow
from trainer.core.csvcells import text_cell
from trainer.core.i18n import _, label, pick
from trainer.extensions import db
from trainer.skills.evidence import AgentEvidence, collect
from trainer.skills.models import SkillRemediation
from trainer.skills.profile import LEVEL_LABELS, LEVELS, SkillLevel, profile, skill_level, when
from trainer.skills.skillmap import SkillMap

MANAGER = "manager"


def team_scope(actor: Any, team_id: int | None) -> int | None:
    """The team to show: a manager's own (-1 if none); others the chosen one or None (all)."""
    if actor.role == MANAGER:
        return actor.team_id if actor.team_id is not None else -1
    return team_id


def teams_for(actor: Any) -> list[Team]:
    """Teams the actor may filter by."""
    query = db.select(Team).order_by(Team.name)
    if actor.role == MANAGER:
        query = query.where(Team.id == (actor.team_id or -1))
    return list(db.session.scalars(query))


def agents_in(team_id: int | None) -> list[User]:
    """Active agents of a team (None: every team), by name."""
    query = db.select(User).where(User.role == "agent", User.active).order_by(User.name, User.id)
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class HeatmapRow:
    """One agent and their level per skill (map order)."""

    agent: User
    levels: dict[str, SkillLevel]


def heatmap(
    skill_map: SkillMap,
    agents: list[User],
    *,
    skill: str | None = None,
    level: str | None = None,
    now: datetime | None = None,
) -> list[HeatmapRow]:
    """Rows of the heatmap; `skill` + `level` keep agents at that level in that skill."""
    evidence = collect(skill_map, [a.id for a in agents])
    now = now or utcnow()
    rows = [HeatmapRow(a, profile(skill_map, evidence[a.id].items, now)) for a in agents]
    if skill and level in LEVELS and skill_map.get(skill):
        rows = [r for r in rows if r.levels[skill].level == level]
    return rows


def heatmap_csv(skill_map: SkillMap, rows: list[HeatmapRow], team_names: dict[int, str]) -> str:
    """The heatmap as CSV: agent, e-mail, team, then score and level per skill."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = [_("Agent"), _("E-mail"), _("Team")]
    for s in skill_map.skills:
        header += [
            _("%(skill)s: score", skill=pick(s.name)),
            _("%(skill)s: level", skill=pick(s.name)),
        ]
    writer.writerow([text_cell(h) for h in header])
    for row in rows:
        cells = [row.agent.name, row.agent.email, team_names.get(row.agent.team_id, "")]
        for s in skill_map.skills:
            found = row.levels[s.key]
            cells += ["" if found.score is None else found.score, label(LEVEL_LABELS, found.level)]
        writer.writerow([text_cell(c) for c in cells])
    return out.getvalue()


@dataclass(frozen=True)
class Effect:
    """One remediation: the skill's score from the evidence before it and after it."""

    remediation: SkillRemediation
    agent: User
    before: int | None
    after: int | None

    @property
    def change(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def effect_of(row: SkillRemediation, evidence: AgentEvidence, now: datetime) -> tuple:
    """(before, after) scores of the remediated skill: evidence up to it, and since it."""
    items = [i for i in evidence.items if i["skill"] == row.skill]
    earlier = [i for i in items if when(i) <= row.created_at]
    later = [i for i in items if when(i) > row.created_at]
    before = skill_level(row.skill, earlier, row.created_at).score
    after = skill_level(row.skill, later, now).score
    return before, after


def effects(skill_map: SkillMap, agents: list[User], now: datetime | None = None) -> list[Effect]:
    """Every remediation of these agents with its before/after, newest first."""
    by_id = {a.id: a for a in agents}
    rows = list(
        db.session.scalars(
            db.select(SkillRemediation)
            .where(SkillRemediation.user_id.in_(list(by_id)))
            .order_by(SkillRemediation.created_at.desc(), SkillRemediation.id.desc())
        )
    )
    evidence = collect(skill_map, sorted({r.user_id for r in rows}))
    now = now or utcnow()
    return [Effect(r, by_id[r.user_id], *effect_of(r, evidence[r.user_id], now)) for r in rows]


@dataclass(frozen=True)
class EffectSummary:
    """Remediations grouped (by team, lesson or scenario): how many, measured, mean change."""

    key: Any
    count: int
    measured: int
    improved: int
    total_change: int

    @property
    def mean_change(self) -> float | None:
        return round(self.total_change / self.measured, 1) if self.measured else None


def summarise(found: list[Effect], key) -> list[EffectSummary]:
    """Group effects by `key(effect)` (None keys left out), biggest mean change first."""
    groups: dict[Any, list[Effect]] = {}
    for effect in found:
        k = key(effect)
        if k is not None:
            groups.setdefault(k, []).append(effect)
    summaries = []
    for k, members in groups.items():
        measured = [e for e in members if e.change is not None]
        summaries.append(
            EffectSummary(
                key=k,
                count=len(members),
                measured=len(measured),
                improved=sum(1 for e in measured if e.change > 0),
                total_change=sum(e.change for e in measured),
            )
        )
    return sorted(summaries, key=lambda s: (-(s.mean_change or -999), str(s.key)))
