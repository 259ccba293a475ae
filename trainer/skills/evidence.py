"""Evidence per skill per agent, from role-play rubric items and policy breaches, quiz answers
and KPI records, in a fixed number of queries whatever the number of agents or records.

`collect(user_ids)` returns an `AgentEvidence` per agent: plain evidence items (JSON-ready, so
a snapshot can store them) plus what the agent finished (lessons read, scenarios graded).
Queries: role-play grades, item overrides, quiz answers by category, by tag (only when the map
uses tags), KPI averages, lessons read, and the names of the map's lessons and scenarios.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func

from trainer.core import clock
from trainer.courses.models import Course, Enrollment, Lesson, LessonProgress
from trainer.extensions import db
from trainer.quizzes.models import AttemptAnswer, Question, QuestionVersion, QuizAttempt
from trainer.quizzes.models.question import QuestionTag
from trainer.roleplay.models import (
    GRADED,
    RoleplayGrade,
    RoleplayItemOverride,
    RoleplaySession,
    Scenario,
)
from trainer.scorecards.catalogue import current_catalogue
from trainer.scorecards.models import KpiRecord
from trainer.scorecards.scoring import kpi_points
from trainer.skills.skillmap import SkillMap

WINDOW_DAYS = 180  # older evidence is left out (it weighs < 2 % with a 30-day half-life)
KPI_RECENT_DAYS = 14  # KPI records are averaged over the last 14 days and the days before
FINISHED = "finished"


@dataclass
class AgentEvidence:
    """What one agent's skills rest on, and what they finished (for next steps)."""

    items: list[dict[str, Any]] = field(default_factory=list)
    lessons_done: dict[str, str] = field(default_factory=dict)  # course/lesson -> ISO time
    drills_done: dict[str, str] = field(default_factory=dict)  # scenario slug -> ISO time
    courses_done: list[str] = field(default_factory=list)  # completed course slugs

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "lessons_done": self.lessons_done,
            "drills_done": self.drills_done,
            "courses_done": self.courses_done,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "AgentEvidence":
        data = data or {}
        return cls(
            list(data.get("items") or []),
            dict(data.get("lessons_done") or {}),
            dict(data.get("drills_done") or {}),
            list(data.get("courses_done") or []),
        )


def _item(skill: str, source: str, at: datetime, score: float, **extra: Any) -> dict[str, Any]:
    return {
        "skill": skill,
        "source": source,
        "at": at.isoformat(),
        "score": round(score, 4),
        "weight": extra.pop("weight", 1.0),
        **extra,
    }


def _fraction(item: dict, score: float | None) -> float | None:
    if score is None:
        return None
    low, high = item.get("min", 0), item.get("max", 1)
    return (score - low) / (high - low) if high != low else None


def _roleplay(skill_map: SkillMap, ids: list[int], since: datetime, out: dict) -> None:
    rows = db.session.execute(
        db.select(
            RoleplaySession.user_id,
            RoleplaySession.id,
            RoleplaySession.ended_at,
            Scenario.slug,
            Scenario.title,
            RoleplayGrade.id,
            RoleplayGrade.items,
            RoleplayGrade.flags,
        )
        .join(RoleplayGrade, RoleplayGrade.session_id == RoleplaySession.id)
        .join(Scenario, Scenario.id == RoleplaySession.scenario_id)
        .where(
            RoleplaySession.user_id.in_(ids),
            RoleplaySession.status == GRADED,
            RoleplaySession.trial.is_(False),
            RoleplaySession.ended_at >= since,
        )
    ).all()
    overrides: dict[int, dict[str, int | None]] = {}
    if rows:
        for grade_id, item_id, score in db.session.execute(
            db.select(
                RoleplayItemOverride.grade_id,
                RoleplayItemOverride.item_id,
                RoleplayItemOverride.score,
            )
            .join(RoleplayGrade, RoleplayGrade.id == RoleplayItemOverride.grade_id)
            .join(RoleplaySession, RoleplaySession.id == RoleplayGrade.session_id)
            .where(RoleplaySession.user_id.in_(ids), RoleplaySession.ended_at >= since)
        ):
            overrides.setdefault(grade_id, {})[item_id] = score
    for user_id, session_id, ended_at, slug, title, grade_id, items, flags in rows:
        evidence = out[user_id]
        done = evidence.drills_done.get(slug)
        if done is None or done < ended_at.isoformat():
            evidence.drills_done[slug] = ended_at.isoformat()
        changed = overrides.get(grade_id, {})
        for item in items or []:
            keys = skill_map.by_rubric.get(f"{slug}/{item.get('id')}")
            if not keys:
                continue
            score = changed[item["id"]] if item["id"] in changed else item.get("score")
            share = _fraction(item, score)
            if share is None:
                continue
            for key in keys:
                evidence.items.append(
                    _item(
                        key,
                        "roleplay",
                        ended_at,
                        share,
                        ref=slug,
                        item=item["id"],
                        item_title=item.get("title") or {},
                        scenario_title=title or {},
                        session_id=session_id,
                        weight=2.0 if item.get("critical") and share < 0.5 else 1.0,
                    )
                )
        for flag in flags or []:
            if flag.get("code") != "policy_breach":
                continue
            for key in skill_map.by_policy.get(flag.get("policy"), ()):
                evidence.items.append(
                    _item(
                        key,
                        "policy",
                        ended_at,
                        0.0,
                        ref=slug,
                        item=flag.get("policy"),
                        scenario_title=title or {},
                        session_id=session_id,
                        weight=2.0,
                    )
                )


def _quiz(skill_map: SkillMap, ids: list[int], since: datetime, out: dict) -> None:
    base = (
        db.select(
            QuizAttempt.user_id,
            QuizAttempt.id,
            QuizAttempt.submitted_at,
        )
        .join(AttemptAnswer, AttemptAnswer.attempt_id == QuizAttempt.id)
        .join(QuestionVersion, QuestionVersion.id == AttemptAnswer.version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(
            QuizAttempt.user_id.in_(ids),
            QuizAttempt.state == FINISHED,
            QuizAttempt.submitted_at >= since,
            AttemptAnswer.fraction.is_not(None),
        )
        .group_by(QuizAttempt.user_id, QuizAttempt.id, QuizAttempt.submitted_at)
    )
    by_category = base.add_columns(
        Question.category, func.avg(AttemptAnswer.fraction), func.count()
    ).group_by(Question.category)
    for user_id, attempt_id, submitted_at, category, average, count in db.session.execute(
        by_category
    ):
        for key in skill_map.skills_for_category(category):
            out[user_id].items.append(
                _item(
                    key,
                    "quiz",
                    submitted_at,
                    max(float(average), 0.0),
                    ref=category,
                    attempt_id=attempt_id,
                    questions=count,
                )
            )
    if not skill_map.by_tag:
        return
    by_tag = (
        base.join(QuestionTag, QuestionTag.question_id == Question.id)
        .where(QuestionTag.tag.in_(list(skill_map.by_tag)))
        .add_columns(QuestionTag.tag, func.avg(AttemptAnswer.fraction), func.count())
        .group_by(QuestionTag.tag)
    )
    for user_id, attempt_id, submitted_at, tag, average, count in db.session.execute(by_tag):
        for key in skill_map.by_tag.get(tag, ()):
            out[user_id].items.append(
                _item(
                    key,
                    "quiz",
                    submitted_at,
                    max(float(average), 0.0),
                    ref=f"#{tag}",
                    attempt_id=attempt_id,
                    questions=count,
                )
            )


def _kpis(skill_map: SkillMap, ids: list[int], since: datetime, out: dict) -> None:
    catalogue = current_catalogue()
    kpis = [catalogue.get(key) for key in skill_map.by_kpi]
    kpis = [k for k in kpis if k is not None and k.scope == "agent"]
    if not kpis:
        return
    recent_from = clock.today() - timedelta(days=KPI_RECENT_DAYS - 1)
    recent = case((KpiRecord.day >= recent_from, 1), else_=0).label("recent")
    columns = [func.avg(getattr(KpiRecord, k.column)) for k in kpis]
    rows = db.session.execute(
        db.select(KpiRecord.agent_id, recent, func.max(KpiRecord.day), *columns)
        .where(KpiRecord.agent_id.in_(ids), KpiRecord.day >= clock.local_date(since))
        .group_by(KpiRecord.agent_id, recent)
    )
    for agent_id, _recent, last_day, *values in rows:
        at = clock.end_of_day(last_day)
        for kpi, value in zip(kpis, values, strict=True):
            points = kpi_points(kpi, float(value) if value is not None else None)
            if points is None:
                continue
            for key in skill_map.by_kpi[kpi.key]:
                out[agent_id].items.append(
                    _item(
                        key,
                        "kpi",
                        at,
                        points / 100,
                        ref=kpi.key,
                        kpi_name=kpi.name,
                        value=round(float(value), 2),
                        target=kpi.target,
                    )
                )


def _lessons(ids: list[int], out: dict) -> None:
    rows = db.session.execute(
        db.select(LessonProgress.user_id, Course.slug, Lesson.slug, LessonProgress.completed_at)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .join(Course, Course.id == Lesson.course_id)
        .where(LessonProgress.user_id.in_(ids), LessonProgress.completed_at.is_not(None))
    )
    for user_id, course, lesson, completed_at in rows:
        out[user_id].lessons_done[f"{course}/{lesson}"] = completed_at.isoformat()
    for user_id, course in db.session.execute(
        db.select(Enrollment.user_id, Course.slug)
        .join(Course, Course.id == Enrollment.course_id)
        .where(Enrollment.user_id.in_(ids), Enrollment.completed_at.is_not(None))
    ):
        out[user_id].courses_done.append(course)


def collect(skill_map: SkillMap, user_ids: list[int]) -> dict[int, AgentEvidence]:
    """Evidence and finished work per agent (every id is a key), in bounded queries."""
    ids = sorted(set(user_ids))
    out = {uid: AgentEvidence() for uid in ids}
    if not ids:
        return out
    since = clock.utcnow() - timedelta(days=WINDOW_DAYS)
    _roleplay(skill_map, ids, since, out)
    _quiz(skill_map, ids, since, out)
    _kpis(skill_map, ids, since, out)
    _lessons(ids, out)
    return out


def map_names(skill_map: SkillMap) -> dict[str, dict[str, dict]]:
    """Titles of the map's lessons (course/lesson) and scenarios in both languages, and the
    prerequisites of the lessons' courses (2 queries)."""
    lessons, requires = {}, {}
    refs = skill_map.lesson_refs
    courses = {ref.split("/", 1)[0] for ref in refs}
    if courses:
        for course, prerequisites, lesson, title in db.session.execute(
            db.select(Course.slug, Course.prerequisites, Lesson.slug, Lesson.title)
            .join(Course, Course.id == Lesson.course_id)
            .where(
                Course.slug.in_(courses),
                Course.published,
                Course.retired_at.is_(None),
                Lesson.retired_at.is_(None),
            )
        ):
            requires[course] = list(prerequisites or [])
            if f"{course}/{lesson}" in refs:
                lessons[f"{course}/{lesson}"] = title
    scenarios = {
        slug: title
        for slug, title in db.session.execute(
            db.select(Scenario.slug, Scenario.title).where(
                Scenario.slug.in_(skill_map.scenario_slugs), Scenario.published
            )
        )
    }
    return {"lessons": lessons, "scenarios": scenarios, "requires": requires}
