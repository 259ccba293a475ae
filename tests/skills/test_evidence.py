"""Evidence per skill from role-play items, breaches, quizzes and KPIs; levels; next steps."""

from datetime import timedelta

from trainer.core.clock import today, utcnow
from trainer.extensions import db
from trainer.scorecards.models import KpiRecord
from trainer.skills import store
from trainer.skills.evidence import collect, map_names
from trainer.skills.nextsteps import next_steps, reason_text
from trainer.skills.profile import DEVELOPING, NONE, PROFICIENT, WEAK, profile, recency


def test_missed_verification_items_make_the_skill_weak_with_a_reason(
    content, make_user, make_graded
):
    agent = make_user("agent")
    make_graded(
        agent, "aftersales-seven-day-return-dress", {"checked_condition": 0, "checked_insurance": 0}
    )
    make_graded(agent, "aftersales-seven-day-return-dress", {"checked_condition": 0})
    db.session.commit()
    skill_map = store.active_map()
    evidence = collect(skill_map, [agent.id])[agent.id]
    levels = profile(skill_map, evidence.items)
    assert levels["verify_facts"].level == WEAK
    assert levels["first_response"].level == PROFICIENT
    assert levels["anti_fraud"].level == NONE
    steps = next_steps(skill_map, evidence, map_names(skill_map))
    assert [s.skill.key for s in steps] == ["verify_facts"]
    step = steps[0]
    assert step.lesson == "compliance/recording-and-evidence"
    # the re-drill is a scenario that measures the skill and was not the one failed in
    assert step.scenario == "aftersales-wool-sweater-not-as-described"
    assert step.reason["kind"] == "roleplay" and step.reason["times"] == 2
    assert "试穿不合适" in reason_text(step.reason) or "Dress" in reason_text(step.reason)


def test_recent_evidence_weighs_more(content, make_user, make_graded):
    agent = make_user("agent")
    make_graded(
        agent,
        "order-change-address-and-color",
        {"verify_order": 0, "checked_variant": 0, "got_new_address": 0},
        days_ago=60,
    )
    make_graded(agent, "order-change-address-and-color", {}, days_ago=0)
    db.session.commit()
    skill_map = store.active_map()
    level = profile(skill_map, collect(skill_map, [agent.id])[agent.id].items)["verify_facts"]
    # three misses 60 days ago weigh 1/4 each; three passes today weigh 1 each: 4/5 = 80
    assert level.score == 80 and level.level == DEVELOPING
    assert abs(recency(utcnow() - timedelta(days=30), utcnow()) - 0.5) < 1e-9


def test_policy_breaches_count_against_their_skill(content, make_user, make_graded):
    agent = make_user("agent")
    flags = [
        {
            "code": "policy_breach",
            "policy": "sensitive_data",
            "seq": 2,
            "quote": "x",
            "severity": "critical",
        }
    ]
    make_graded(agent, "payment-double-charge-group-order", {}, flags=flags)
    db.session.commit()
    skill_map = store.active_map()
    items = collect(skill_map, [agent.id])[agent.id].items
    breaches = [i for i in items if i["source"] == "policy"]
    assert [(i["skill"], i["score"], i["weight"]) for i in breaches] == [("anti_fraud", 0.0, 2.0)]


def test_kpis_below_target_are_evidence(content, make_user):
    agent = make_user("agent")
    for back in range(3):
        db.session.add(
            KpiRecord(
                agent_id=agent.id,
                day=today() - timedelta(days=back),
                first_response_seconds=90,
                response_rate=99,
                csat=4.9,
            )
        )
    db.session.commit()
    skill_map = store.active_map()
    levels = profile(skill_map, collect(skill_map, [agent.id])[agent.id].items)
    # first response time at the floor (0 points) and response rate at target (100): 50
    assert levels["first_response"].score == 50 and levels["first_response"].level == WEAK
    assert levels["empathy_apology"].level == PROFICIENT
    steps = next_steps(skill_map, collect(skill_map, [agent.id])[agent.id], map_names(skill_map))
    assert steps[0].reason["kind"] == "kpi"


def test_next_step_prefers_a_lesson_whose_course_prerequisites_are_done(
    content, make_user, make_graded
):
    from trainer.courses.models import Course, Enrollment

    agent = make_user("agent")
    make_graded(agent, "aftersales-seven-day-return-dress", {"checked_condition": 0})
    foundations = db.session.scalar(db.select(Course).where(Course.slug == "service-foundations"))
    db.session.add(Enrollment(user_id=agent.id, course_id=foundations.id, completed_at=utcnow()))
    db.session.commit()
    skill_map = store.active_map()
    evidence = collect(skill_map, [agent.id])[agent.id]
    step = next_steps(skill_map, evidence, map_names(skill_map))[0]
    assert step.lesson == "platform-orders/order-lifecycle"  # now open: first in the map
