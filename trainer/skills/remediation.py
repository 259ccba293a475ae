"""After new evidence: refresh snapshots, record remediations, auto-assign where trainers chose.

Receivers of the signals in core/events.py run inside the sender's transaction (after its
flush, before its commit): no commit here, and nothing slow. For one agent (a quiz submitted,
a role-play graded, a lesson read) they only queue the job `skills.refresh` (skills/jobs.py),
keyed per agent, so the sender's transaction (and SQLite's write lock) stays short; a KPI
import (already batched, often a job itself) remediates its agents in place. A quiz submit
asks before its first write (`quiz_attempt_finishing`): whether the attempt measures a skill
is read then, and only the queuing runs after the submit's writes.

For each weak skill with an open next step, one remediation row is recorded per (agent, skill,
triggering evidence); a skill set to "auto-assign" also gets the lesson's course and the re-drill
scenario assigned through the courses and role-play services (due in N days) and the agent is
notified. A new remediation is opened only when the agent has none for that skill whose re-drill
is still to be done.
"""

import functools
import logging
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from trainer.accounts.models import User
from trainer.core import clock, jobs
from trainer.courses.assignments import AssignmentError, assign_course
from trainer.courses.models import Course
from trainer.extensions import db
from trainer.notifications.services import notify, path_for
from trainer.quizzes.models import AttemptAnswer, QuestionTag, QuestionVersion
from trainer.roleplay.models import RoleplaySession, Scenario
from trainer.roleplay.services import assign_scenario
from trainer.skills import settings, snapshots, store
from trainer.skills.evidence import AgentEvidence
from trainer.skills.models import AUTO, SkillRemediation
from trainer.skills.nextsteps import NextStep, next_steps
from trainer.skills.skillmap import SkillMap

log = logging.getLogger("trainer.skills")
KIND = "skill_remediation"
JOB = "skills.refresh"


def _enabled() -> bool:
    return "trainer_skills" in current_app.extensions


def _open_skills(user_ids: list[int], evidence: dict[int, AgentEvidence]) -> set[tuple]:
    """(user, skill) pairs with a remediation whose re-drill is not graded since."""
    rows = db.session.execute(
        db.select(
            SkillRemediation.user_id,
            SkillRemediation.skill,
            SkillRemediation.scenario,
            SkillRemediation.created_at,
        ).where(SkillRemediation.user_id.in_(user_ids))
    )
    open_pairs = set()
    for user_id, skill, scenario, created_at in rows:
        done = evidence[user_id].drills_done.get(scenario) if scenario else None
        if done is None or done <= created_at.isoformat():
            open_pairs.add((user_id, skill))
    return open_pairs


def _assign(step: NextStep, agent: User, actor: User | None, due_days: int):
    """Assign the lesson's course and the re-drill; the due date in N days (end of day)."""
    due = clock.end_of_day(clock.today() + timedelta(days=due_days))
    if actor is None:
        log.warning("auto-assign of %s skipped: no trainer recorded", step.skill.key)
        return None
    if step.lesson and not step.lesson_done:
        course = db.session.scalar(
            db.select(Course).where(Course.slug == step.lesson.split("/", 1)[0])
        )
        if course is not None:
            try:
                assign_course(course, [agent], due, actor)
            except AssignmentError as error:
                log.warning("auto-assign of course %s refused: %s", course.slug, error)
    if step.scenario and not step.drill_done:
        scenario = db.session.scalar(db.select(Scenario).where(Scenario.slug == step.scenario))
        if scenario is not None and scenario.published:
            assign_scenario(scenario, [agent], actor=actor, due_at=due)
    return due


def remediate(skill_map: SkillMap, user_ids: list[int]) -> int:
    """Refresh the agents' snapshots and open remediations for new weaknesses; how many."""
    agents = {
        u.id: u
        for u in db.session.scalars(
            db.select(User).where(User.id.in_(user_ids), User.role == "agent", User.active)
        )
    }
    if not agents:
        return 0
    evidence, names = snapshots.refresh(skill_map, list(agents))
    chosen = settings.current_settings()
    opened = _open_skills(list(agents), evidence)
    actors: dict[int, User | None] = {}
    count = 0
    for user_id, agent in agents.items():
        for step in next_steps(skill_map, evidence[user_id], names):
            if (user_id, step.skill.key) in opened:
                continue
            setting = chosen.get(step.skill.key)
            mode = setting.mode if setting else "suggest"
            trigger = f"{step.skill.key}:{step.since}"[:80]
            row = SkillRemediation(
                user_id=user_id,
                skill=step.skill.key,
                trigger_key=trigger,
                mode=mode,
                lesson=step.lesson,
                scenario=step.scenario,
                reason=step.reason,
                before_score=step.level.score,
            )
            try:
                with db.session.begin_nested():
                    db.session.add(row)
            except IntegrityError:
                continue  # this weakness was handled before
            count += 1
            if mode == AUTO:
                actor_id = setting.updated_by_id
                if actor_id not in actors:
                    actors[actor_id] = db.session.get(User, actor_id) if actor_id else None
                row.due_at = _assign(step, agent, actors[actor_id], setting.due_days)
                notify(
                    agent,
                    KIND,
                    link=path_for("skills.mine"),
                    once=f"skill-remediation:{row.id}",
                    skill=step.skill.name,
                    lesson=step.lesson_title or "",
                    scenario=step.scenario_title or "",
                    due=clock.date_local(row.due_at) if row.due_at else "",
                )
    db.session.flush()
    return count


def refresh(user_ids: list[int], open_remediations: bool = True) -> None:
    """Refresh the agents' snapshots and, with `open_remediations`, open remediations for new
    weaknesses, in a savepoint; a failure raises (the job's retries take it from there)."""
    if not _enabled() or not user_ids:
        return
    with db.session.begin_nested():
        if open_remediations:
            remediate(store.active_map(), user_ids)
        else:
            snapshots.refresh(store.active_map(), user_ids)


def refresh_now(user_ids: list[int], open_remediations: bool = True) -> None:
    """`refresh` inside another piece of work (a KPI import): a failure is logged and never
    undoes the surrounding work."""
    try:
        refresh(user_ids, open_remediations)
    except Exception:
        log.exception("skills: refresh failed for users %s", user_ids[:20])


def queue_refresh(user_id: int, open_remediations: bool = True) -> None:
    """Queue the agent's refresh, pushed when the sender commits; while one waits in the queue
    for this agent, another event adds nothing (the job reads the evidence when it runs)."""
    if not _enabled():
        return
    kind = "remediate" if open_remediations else "snapshot"
    jobs.enqueue(JOB, user_id, open_remediations, key=f"{JOB}:{user_id}:{kind}")


def on_roleplay_graded(sender=None, *, session_id: int, **_kwargs) -> None:
    """A role-play was graded: the agent's skills and next steps change (not for trials)."""
    row = db.session.execute(
        db.select(RoleplaySession.user_id, RoleplaySession.trial).where(
            RoleplaySession.id == session_id
        )
    ).first()
    if row is not None and not row.trial:
        queue_refresh(row.user_id)


def _measures_skills(skill_map: SkillMap, attempt_id: int, categories: frozenset[str]) -> bool:
    """Whether any question of the attempt is in a category (or has a tag) the map measures."""
    if any(skill_map.skills_for_category(c) for c in categories):
        return True
    if not skill_map.by_tag:
        return False
    return (
        db.session.scalar(
            db.select(QuestionTag.tag)
            .join(QuestionVersion, QuestionVersion.question_id == QuestionTag.question_id)
            .join(AttemptAnswer, AttemptAnswer.version_id == QuestionVersion.id)
            .where(
                AttemptAnswer.attempt_id == attempt_id, QuestionTag.tag.in_(list(skill_map.by_tag))
            )
            .limit(1)
        )
        is not None
    )


def on_quiz_attempt_finishing(
    sender=None, *, attempt, user_id: int, categories: frozenset[str], **_kwargs
) -> Callable[[], None] | None:
    """A quiz attempt is about to be finished: only attempts with questions the map measures
    matter. Read now, before the submit's first write (the map in force, the questions' tags);
    the refresh is queued once the attempt is finished."""
    if _enabled() and _measures_skills(store.active_map(), attempt.id, categories):
        return functools.partial(queue_refresh, user_id)
    return None


def on_kpis_imported(sender=None, *, agent_ids, **_kwargs) -> None:
    """KPI days were written for these agents (one batch, in the import's own transaction)."""
    refresh_now(sorted(set(agent_ids)))


def on_lesson_completed(sender=None, *, user_id: int, **_kwargs) -> None:
    """A lesson was read: a next step may be half done (no new remediation comes of it)."""
    queue_refresh(user_id, open_remediations=False)
