"""After new evidence: snapshots, remediations, auto-assignment with a notification."""

from trainer.core import events
from trainer.courses.models import Course, Enrollment
from trainer.extensions import db
from trainer.notifications.models import Notification
from trainer.roleplay.models import RoleplayAssignment, Scenario
from trainer.skills import settings, store
from trainer.skills.home import agent_panel
from trainer.skills.models import AUTO, SUGGEST, SkillRemediation


def _graded(make_graded, agent, slug="aftersales-seven-day-return-dress", **scores):
    session = make_graded(agent, slug, scores or {"checked_condition": 0})
    events.roleplay_graded.send(grade=None, session_id=session.id)
    db.session.commit()
    return session


def test_suggest_only_records_the_remediation_without_assigning(content, make_user, make_graded):
    agent = make_user("agent")
    _graded(make_graded, agent)
    rows = db.session.scalars(db.select(SkillRemediation)).all()
    assert [(r.skill, r.mode, r.lesson, r.scenario) for r in rows] == [
        (
            "verify_facts",
            SUGGEST,
            "compliance/recording-and-evidence",
            "aftersales-wool-sweater-not-as-described",
        )
    ]
    assert db.session.scalar(db.select(db.func.count(Enrollment.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 0


def test_auto_assign_assigns_course_and_drill_notifies_once(content, make_user, make_graded):
    trainer = make_user("trainer")
    settings.save_setting(store.active_map(), "verify_facts", AUTO, 5, trainer)
    db.session.commit()
    agent = make_user("agent")
    _graded(make_graded, agent)
    _graded(make_graded, agent)  # the same open weakness: nothing new
    rows = db.session.scalars(db.select(SkillRemediation)).all()
    assert len(rows) == 1 and rows[0].mode == AUTO and rows[0].due_at is not None
    course = db.session.scalar(db.select(Course).where(Course.slug == "compliance"))
    enrollment = db.session.scalar(db.select(Enrollment).where(Enrollment.user_id == agent.id))
    assert enrollment.course_id == course.id and enrollment.assigned_by_id == trainer.id
    drill = db.session.scalar(
        db.select(RoleplayAssignment).where(RoleplayAssignment.user_id == agent.id)
    )
    scenario = db.session.get(Scenario, drill.scenario_id)
    assert scenario.slug == "aftersales-wool-sweater-not-as-described"
    kinds = db.session.scalars(
        db.select(Notification.kind).where(Notification.user_id == agent.id)
    ).all()
    assert sorted(kinds) == ["course_assigned", "skill_remediation"]


def test_home_panel_reads_the_snapshot_in_two_queries(
    content, make_user, make_graded, count_queries
):
    agent = make_user("agent")
    _graded(make_graded, agent)
    db.session.expire_all()
    agent = db.session.get(type(agent), agent.id)
    store.active_map()  # the map's text is parsed once per process
    from flask import g

    g.pop("trainer_skill_map", None)
    with count_queries() as counter:
        ctx = agent_panel(agent)
    assert counter.count == 1, counter.statements
    assert [s.skill.key for s in ctx["steps"]] == ["verify_facts"]


def test_a_failing_redrill_after_the_lesson_opens_the_next_round(content, make_user, make_graded):
    agent = make_user("agent")
    _graded(make_graded, agent)
    _graded(
        make_graded,
        agent,
        "aftersales-wool-sweater-not-as-described",
        checked_evidence=0,
        checked_item_state=0,
    )
    skills = db.session.scalars(db.select(SkillRemediation.skill)).all()
    assert skills == ["verify_facts", "verify_facts"]


def test_a_kpi_import_refreshes_the_agents_and_opens_remediations(content, make_user):
    from trainer.core.clock import today
    from trainer.scorecards import records
    from trainer.skills import snapshots

    agent = make_user("agent", email="slow@example.org")
    day = today().isoformat()
    data = (
        "date,agent_email,conversations,first_response_seconds,response_rate,resolution_rate,"
        "csat,csat_responses,repeat_contact_rate,qa_score\n"
        f"{day},slow@example.org,100,95,85,97,4.6,40,7,90\n"
    ).encode()
    records.import_csv(data, actor=None)
    db.session.commit()
    evidence, _names = snapshots.read(agent.id)
    assert {i["ref"] for i in evidence.items if i["source"] == "kpi"} >= {"first_response_time"}
    row = db.session.scalar(db.select(SkillRemediation))
    assert (row.user_id, row.skill, row.reason["kind"]) == (agent.id, "first_response", "kpi")


def test_a_submitted_quiz_attempt_is_evidence_for_its_category(returns_quiz, make_user):
    """A wrong-answered attempt of a returns-policy question makes returns_policy weak."""
    from trainer.quizzes.attempts import start_attempt, submit_attempt
    from trainer.skills import snapshots

    quiz = returns_quiz
    agent = make_user("agent")
    attempt = start_attempt(quiz, agent)
    db.session.commit()
    submit_attempt(attempt)  # nothing answered: every answer scores 0
    db.session.commit()
    evidence, _names = snapshots.read(agent.id)
    quiz_items = [i for i in evidence.items if i["source"] == "quiz"]
    assert [(i["skill"], i["score"], i["questions"]) for i in quiz_items] == [
        ("returns_policy", 0.0, 3)
    ]
    row = db.session.scalar(db.select(SkillRemediation))
    assert (row.skill, row.reason["kind"]) == ("returns_policy", "quiz")


def test_a_failing_receiver_never_undoes_the_grade(content, make_user, make_graded, monkeypatch):
    from trainer.roleplay.models import RoleplayGrade
    from trainer.skills import remediation

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(remediation, "remediate", broken)
    agent = make_user("agent")
    session = make_graded(agent, "aftersales-seven-day-return-dress", {"checked_condition": 0})
    events.roleplay_graded.send(grade=None, session_id=session.id)
    db.session.commit()
    assert db.session.scalar(db.select(RoleplayGrade).where(RoleplayGrade.session_id == session.id))
