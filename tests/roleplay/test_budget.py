"""The AI budget holds under concurrency (issue 11, finding 7).

Parallel threads drive the real reply and grading paths, through the real openai SDK, against
the fake OpenAI server: customer turns in several sessions of one agent, judge calls at grading,
and several agents against the organisation's budget. Whatever the interleaving, the tokens the
server reports never pass the cap, the ledger ends with nothing reserved, and the calls that do
not fit fall back (scripted customer, offline judge, with the grade saying so). Runs on SQLite
and, with TEST_DATABASE_URL, on PostgreSQL.
"""

import threading

import pytest

from trainer.core import jobs
from trainer.extensions import db
from trainer.roleplay import autograde, budget, catalog, judge, sessions, turns
from trainer.roleplay.engines.openai_engine import OpenAIEngine
from trainer.roleplay.models import AIBudgetDay, RoleplayGrade, RoleplaySession, RoleplayTurn
from trainer.roleplay.transcript import from_turns


@pytest.fixture(autouse=True)
def _patient_client(app, request):
    """A client timeout no loaded CI machine reaches (the fault test below sets its own hang)."""
    if "fake_llm" in request.fixturenames:
        request.getfixturevalue("fake_llm")  # it sets a 1 s timeout; this one comes after
    app.config["ROLEPLAY_LLM_TIMEOUT"] = 10.0


def _ledger(scope: str) -> AIBudgetDay | None:
    db.session.expire_all()
    return db.session.scalar(db.select(AIBudgetDay).where(AIBudgetDay.scope == scope))


def _pending_session(agent, text: str = "您好，请问订单号是多少？") -> RoleplaySession:
    """A conversation whose agent turn waits for the customer's reply (committed)."""
    session = sessions.start_session(agent, catalog.get_scenario("tiny-parcel"))
    sessions.add_agent_turn(session, agent, text)
    db.session.commit()
    return session


def _in_parallel(app, work, args: list) -> list:
    """Run work(arg) in one thread per arg, each in its own app context, all released at once."""
    results: list = [None] * len(args)
    gate = threading.Barrier(len(args))

    def run(index, arg):
        with app.app_context():
            gate.wait(timeout=30)
            try:
                results[index] = work(arg)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(args)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def _reply_tokens(user_id: int) -> list[int]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(RoleplayTurn.tokens)
            .join(RoleplaySession, RoleplaySession.id == RoleplayTurn.session_id)
            .where(RoleplaySession.user_id == user_id, RoleplayTurn.speaker == "customer")
            .where(RoleplayTurn.seq > 0)
        )
    )


def test_parallel_customer_turns_never_overshoot_the_daily_cap(
    app, make_user, make_scenario, fake_llm
):
    make_scenario()
    agent = make_user("agent")
    jobs = [turns.prepare_reply(_pending_session(agent)) for _ in range(8)]
    estimate = OpenAIEngine().cost_bound(jobs[0].request)
    cap = int(estimate * 2.5)  # room for two replies at a time, not eight
    app.config["ROLEPLAY_DAILY_TOKENS"] = cap
    fake_llm.first_token_delay = 0.3  # every reply is in flight at once

    events = _in_parallel(app, lambda job: list(turns.run_reply(job)), jobs)

    assert all(e[-1]["type"] == "done" for e in events), events  # every agent got an answer
    spent = _reply_tokens(agent.id)
    answered_by_model = [t for t in spent if t]
    assert 1 <= len(answered_by_model) < len(jobs)
    assert sum(spent) <= cap
    assert len(fake_llm.chat_requests()) == len(answered_by_model)
    notices = [e for stream in events for e in stream if e["type"] == "notice"]
    assert len(notices) == len(jobs) - len(answered_by_model)
    row = _ledger(budget.user_scope(agent.id))
    assert row.reserved == 0 and row.used == sum(spent) <= cap
    assert row.refused == len(notices)


@pytest.fixture
def held_queue(app, tmp_path):
    """Ending a session queues its grading job in a real queue that nobody runs, so the test
    grades by hand (in parallel, or after changing the judge's answer)."""
    app.config.update(
        TRAINER_QUEUE_URL=f"sqlite:///{tmp_path / 'queue.db'}",
        TRAINER_QUEUE_NAME="held",
        TRAINER_QUEUE_IMMEDIATE=False,
    )
    jobs.configure(app)
    yield jobs.huey
    jobs.huey.storage.flush_all()


def _ended_session(agent) -> RoleplaySession:
    session = _pending_session(agent, "非常抱歉让您着急了，麻烦发一下照片。")
    sessions.end_session(session)
    db.session.commit()
    return session


def _judge_estimate(session_id: int) -> int:
    session = db.session.get(RoleplaySession, session_id)
    spec = session.version.spec
    items = [item for item in spec["rubric"]["items"] if item["kind"] == "judged"]
    lines = from_turns(sessions.session_turns(session))
    messages = judge.judge_messages(spec, items, lines)
    return budget.estimate_tokens(messages, 250 * len(items) + 200)


def _grades() -> list[RoleplayGrade]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(RoleplayGrade)))


def test_parallel_judge_calls_fall_back_to_the_offline_judge_within_the_cap(
    app, make_user, make_scenario, fake_llm, held_queue
):
    make_scenario()
    agent = make_user("agent")
    ids = [_ended_session(agent).id for _ in range(6)]
    cap = int(_judge_estimate(ids[0]) * 2.5)
    app.config["ROLEPLAY_DAILY_TOKENS"] = cap
    fake_llm.judge_delay = 0.3

    statuses = _in_parallel(app, autograde.grade, ids)

    assert statuses == ["graded"] * len(ids)
    grades = _grades()
    by_llm = [g for g in grades if g.judge == "llm"]
    fallback = [g for g in grades if g.judge == "offline_fallback"]
    assert by_llm and fallback and len(by_llm) + len(fallback) == len(ids)
    for grade in fallback:
        assert {"code": "judge_unavailable", "kind": "budget"} in grade.flags
        assert grade.tokens == 0
    assert sum(g.tokens for g in grades) <= cap
    assert len(fake_llm.judge_requests()) == len(by_llm)
    row = _ledger(budget.user_scope(agent.id))
    assert row.reserved == 0 and row.used == sum(g.tokens for g in grades)


def test_the_organisation_budget_holds_across_agents(app, make_user, make_scenario, fake_llm):
    make_scenario()
    agents = [make_user("agent") for _ in range(4)]
    jobs = [turns.prepare_reply(_pending_session(a)) for a in agents for _ in range(2)]
    cap = int(OpenAIEngine().cost_bound(jobs[0].request) * 3.5)
    budget.set_org_limit(cap, None)
    db.session.commit()
    fake_llm.first_token_delay = 0.3

    events = _in_parallel(app, lambda job: list(turns.run_reply(job)), jobs)

    assert all(e[-1]["type"] == "done" for e in events)
    spent = [t for a in agents for t in _reply_tokens(a.id)]
    assert 1 <= len([t for t in spent if t]) <= 3
    assert sum(spent) <= cap
    org = _ledger(budget.ORG)
    assert org.reserved == 0 and org.used == sum(spent) and org.refused >= len(jobs) - 3


def test_an_unusable_judge_answer_still_counts_its_tokens(
    app, make_user, make_scenario, fake_llm, held_queue
):
    make_scenario()
    agent = make_user("agent")
    session_id, scope = _ended_session(agent).id, budget.user_scope(agent.id)
    fake_llm.judge = lambda body: "definitely not json"

    assert autograde.grade(session_id) == "graded"

    grade = _grades()[0]
    assert grade.judge == "offline_fallback" and grade.tokens > 0
    row = _ledger(scope)
    assert row.used == grade.tokens and row.reserved == 0


@pytest.mark.parametrize("fault", ["429", "500", "timeout", "malformed", "drop"])
def test_a_failed_reply_releases_its_reservation(app, make_user, make_scenario, fake_llm, fault):
    make_scenario()
    agent = make_user("agent")
    job = turns.prepare_reply(_pending_session(agent))
    app.config["ROLEPLAY_LLM_TIMEOUT"] = 1.0
    fake_llm.slow_seconds = 2.0  # longer than the client's 1 s timeout
    fake_llm.fail_next(fault)

    events = list(turns.run_reply(job))

    assert events[-1]["type"] == "error"
    row = _ledger(budget.user_scope(agent.id))
    assert row.reserved == 0 and row.used == 0 and row.calls == 1


def test_a_spent_budget_refuses_the_turn_with_a_clear_message(
    app, login_as, make_scenario, fake_llm
):
    make_scenario()
    client, agent = login_as("agent")
    app.config["ROLEPLAY_DAILY_TOKENS"] = 10
    held = budget.reserve(agent.id, 10)  # another tab's call holds the whole budget
    start = client.post("/roleplay/scenarios/tiny-parcel/start")
    session_id = int(start.headers["Location"].rstrip("/").split("/")[-1])
    response = client.post(f"/roleplay/sessions/{session_id}/turns", json={"text": "您好"})
    assert response.status_code == 429
    assert "AI" in response.get_json()["error"]
    budget.settle(held, 0)
    with pytest.raises(budget.BudgetSpent):
        budget.reserve(agent.id, 11)
    assert _ledger(budget.user_scope(agent.id)).reserved == 0


def test_admin_sets_the_organisation_budget(app, login_as):
    client, admin = login_as("admin")
    page = client.get("/admin/ai-server/").get_data(as_text=True)
    assert 'data-testid="ai-budget"' in page
    bad = client.post("/admin/ai-server/budget", data={"daily_tokens": "-5"})
    assert bad.status_code == 400 and budget.org_limit() == 0
    saved = client.post("/admin/ai-server/budget", data={"daily_tokens": "500000"})
    assert saved.status_code == 302 and budget.org_limit() == 500_000
    agent_client, _ = login_as("agent")
    assert agent_client.post("/admin/ai-server/budget", data={"daily_tokens": "1"}).status_code in (
        403,
        404,
    )
    assert budget.org_limit() == 500_000
