"""Skill levels from evidence items: the one formula (docs/skills.md), computed on read.

Each item has a score s in [0, 1] and a weight w (1; a missed critical item or a platform
breach 2). Recent evidence weighs more: an item `a` days old counts r = 0.5 ** (a / 30)
(a 30-day half-life). A skill's score is sum(w·r·s) / sum(w·r), shown as 0-100; its
strength sum(w·r) says how much evidence there is. Below MIN_STRENGTH the level is "none";
otherwise weak (< 60), developing (60-84) or proficient (85 and above).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trainer.core.clock import utcnow
from trainer.core.i18n import _l
from trainer.skills.skillmap import SkillMap

HALF_LIFE_DAYS = 30.0
MIN_STRENGTH = 0.25
WEAK_BELOW, PROFICIENT_FROM = 60, 85
NONE, WEAK, DEVELOPING, PROFICIENT = "none", "weak", "developing", "proficient"
LEVELS = (NONE, WEAK, DEVELOPING, PROFICIENT)
LEVEL_LABELS = {
    NONE: _l("Not yet measured"),
    WEAK: _l("Weak"),
    DEVELOPING: _l("Developing"),
    PROFICIENT: _l("Proficient"),
}


@dataclass(frozen=True)
class SkillLevel:
    """One skill of one agent: score 0-100 (None without evidence), level, the evidence."""

    key: str
    score: int | None
    level: str
    strength: float
    evidence: list[dict[str, Any]] = field(default_factory=list)  # newest first


def when(item: dict[str, Any]) -> datetime:
    """The evidence item's time."""
    return datetime.fromisoformat(item["at"])


def recency(at: datetime, now: datetime) -> float:
    """The weight of evidence from `at` seen at `now` (1 today, ½ after 30 days)."""
    age_days = max((now - at).total_seconds(), 0.0) / 86400
    return 0.5 ** (age_days / HALF_LIFE_DAYS)


def level_of(score: int | None) -> str:
    """The level a 0-100 score means."""
    if score is None:
        return NONE
    if score < WEAK_BELOW:
        return WEAK
    return PROFICIENT if score >= PROFICIENT_FROM else DEVELOPING


def skill_level(key: str, items: list[dict[str, Any]], now: datetime) -> SkillLevel:
    """The level of one skill from its evidence items, seen at `now`."""
    total = weight = 0.0
    for item in items:
        r = item.get("weight", 1.0) * recency(when(item), now)
        total += r * item["score"]
        weight += r
    score = round(100 * total / weight) if weight >= MIN_STRENGTH else None
    ordered = sorted(items, key=lambda i: i["at"], reverse=True)
    return SkillLevel(key, score, level_of(score), round(weight, 3), ordered)


def profile(
    skill_map: SkillMap, items: list[dict[str, Any]], now: datetime | None = None
) -> dict[str, SkillLevel]:
    """Every skill of the map (in map order) for one agent's evidence items."""
    now = now or utcnow()
    by_skill: dict[str, list[dict]] = {s.key: [] for s in skill_map.skills}
    for item in items:
        if item["skill"] in by_skill:
            by_skill[item["skill"]].append(item)
    return {key: skill_level(key, found, now) for key, found in by_skill.items()}
