"""Next steps with reasons: for each weak skill, the lesson that teaches it, then a re-drill.

Computed on read from an agent's evidence (a snapshot or a fresh `collect`), never stored:
"在『七天无理由退货』中两次未核实订单 → 学习《核实订单信息》，再练习《毛衣与描述不符》".
A step is finished when the lesson was read and the re-drill graded after the weakness showed;
the evidence of that re-drill then moves the level.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trainer.core.i18n import _, pick
from trainer.skills.evidence import AgentEvidence
from trainer.skills.profile import WEAK, SkillLevel, profile
from trainer.skills.skillmap import Skill, SkillMap

FAILED_BELOW = 0.5


@dataclass(frozen=True)
class NextStep:
    """A lesson and a re-drill for one weak skill, with the reason in words."""

    skill: Skill
    level: SkillLevel
    reason: dict[str, Any]  # structured; `reason_text` puts it in the reader's language
    lesson: str | None  # course/lesson
    lesson_title: dict | None
    lesson_done: bool
    scenario: str | None
    scenario_title: dict | None
    drill_done: bool
    since: str  # ISO time of the weakness


def weakness(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Why the skill is weak, from its failed evidence (the most repeated failure first)."""
    failed = [i for i in items if i["score"] < FAILED_BELOW]
    practice = [i for i in failed if i["source"] in ("roleplay", "policy")]
    if practice:
        counts = Counter((i["ref"], i["item"]) for i in practice)
        (slug, item_id), times = counts.most_common(1)[0]
        sample = next(i for i in practice if (i["ref"], i["item"]) == (slug, item_id))
        if sample["source"] == "policy":
            return {
                "kind": "policy",
                "scenario": sample.get("scenario_title") or {},
                "policy": item_id,
                "times": times,
            }
        return {
            "kind": "roleplay",
            "scenario": sample.get("scenario_title") or {},
            "item": sample.get("item_title") or {},
            "times": times,
        }
    quiz = [i for i in failed if i["source"] == "quiz"]
    if quiz:
        latest = max(quiz, key=lambda i: i["at"])
        return {"kind": "quiz", "category": latest["ref"], "percent": round(latest["score"] * 100)}
    kpi = [i for i in failed if i["source"] == "kpi"]
    if kpi:
        latest = max(kpi, key=lambda i: i["at"])
        return {
            "kind": "kpi",
            "kpi": latest.get("kpi_name") or {},
            "value": latest["value"],
            "target": latest["target"],
        }
    return {"kind": "score"}


def reason_text(reason: dict[str, Any], level: SkillLevel | None = None) -> str:
    """The reason in the reader's language."""
    kind = reason.get("kind")
    if kind == "roleplay":
        return _(
            "In “%(scenario)s” missed “%(item)s” %(times)s time(s)",
            scenario=pick(reason["scenario"]),
            item=pick(reason["item"]),
            times=reason["times"],
        )
    if kind == "policy":
        return _(
            "In “%(scenario)s” broke the platform rule %(policy)s %(times)s time(s)",
            scenario=pick(reason["scenario"]),
            policy=reason["policy"],
            times=reason["times"],
        )
    if kind == "quiz":
        return _(
            "Only %(percent)s%% right on quiz questions of %(category)s",
            percent=reason["percent"],
            category=reason["category"],
        )
    if kind == "kpi":
        return _(
            "%(kpi)s at %(value)s against a target of %(target)s",
            kpi=pick(reason["kpi"]),
            value=reason["value"],
            target=reason["target"],
        )
    return _("Skill score %(score)s", score=level.score if level else "-")


def _after(done: dict[str, str], key: str | None, since: str) -> bool:
    return key is not None and key in done and done[key] > since


def step_for(
    skill: Skill, level: SkillLevel, evidence: AgentEvidence, names: dict
) -> NextStep | None:
    """The next step for a weak skill (None when it is not weak or the step is finished)."""
    if level.level != WEAK:
        return None
    failed = [i for i in level.evidence if i["score"] < FAILED_BELOW]
    since = max((i["at"] for i in failed), default=level.evidence[0]["at"])
    reason = weakness(level.evidence)
    done_courses = set(evidence.courses_done)
    requires = names.get("requires") or {}
    known = [ref for ref in skill.lessons if ref in names["lessons"]]
    # lessons the agent can open now first (their course's prerequisites are complete)
    lessons = sorted(
        known, key=lambda r: not set(requires.get(r.split("/", 1)[0], [])) <= done_courses
    )
    # one lesson of the skill read since the weakness showed is enough; else the first one
    read = [r for r in lessons if _after(evidence.lessons_done, r, since)]
    lesson = read[0] if read else (lessons[0] if lessons else None)
    failed_in = {i["ref"] for i in failed if i["source"] in ("roleplay", "policy")}
    drills = [s for s in skill.scenarios if s in names["scenarios"]]
    scenario = next((s for s in drills if s not in failed_in), drills[0] if drills else None)
    lesson_done = lesson is None or _after(evidence.lessons_done, lesson, since)
    drill_done = scenario is None or _after(evidence.drills_done, scenario, since)
    if lesson_done and drill_done:
        return None
    return NextStep(
        skill=skill,
        level=level,
        reason=reason,
        lesson=lesson,
        lesson_title=names["lessons"].get(lesson) if lesson else None,
        lesson_done=lesson_done and lesson is not None,
        scenario=scenario,
        scenario_title=names["scenarios"].get(scenario) if scenario else None,
        drill_done=drill_done and scenario is not None,
        since=since,
    )


def next_steps(
    skill_map: SkillMap, evidence: AgentEvidence, names: dict, now: datetime | None = None
) -> list[NextStep]:
    """The agent's next steps, weakest skill first."""
    levels = profile(skill_map, evidence.items, now)
    steps = [
        step
        for skill in skill_map.skills
        if (step := step_for(skill, levels[skill.key], evidence, names)) is not None
    ]
    return sorted(steps, key=lambda s: (s.level.score or 0, s.skill.key))
