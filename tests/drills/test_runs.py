"""A drill run through the real endpoints: arrivals, follow-up, leaving, results."""

from tests.drills.conftest import reply, start, tick
from trainer.drills.models import DrillCustomer, DrillRun
from trainer.drills.results import drill_score, summarise_runs
from trainer.extensions import db
from trainer.roleplay.models import RoleplaySession, RoleplayTurn


def _run(run_id: int) -> DrillRun:
    db.session.expire_all()
    return db.session.get(DrillRun, run_id)


def test_two_served_one_abandoned_measured_by_the_server(app, login_as, make_drill, clock):
    make_drill()
    client, agent = login_as("agent")
    run_id = start(client)
    state = tick(client, run_id)
    assert [c["position"] for c in state["customers"]] == [1]
    clock.shift(3)
    status, events = reply(client, run_id, 1, "非常抱歉，给您添麻烦了，请问有照片吗？")
    assert status == 200 and events[-1]["type"] == "done", events
    clock.shift(5)  # t = 8: customer 2 arrived at 5
    status, events = reply(client, run_id, 2, "您好，抱歉让您久等，我马上帮您处理。")
    assert status == 200, events
    clock.shift(17)  # t = 25: customer 3 (arrived at 10) waits 15 s, no follow-up yet
    state = tick(client, run_id)
    third = state["customers"][2]
    assert third["phase"] == "waiting" and third["unread"] == 1
    clock.shift(10)  # t = 35: 25 s waiting → followed up, about to leave
    state = tick(client, run_id)
    third = state["customers"][2]
    assert third["phase"] == "impatient" and third["about_to_leave"] and third["unread"] == 2
    assert third["turns"][-1]["text"] == "在吗？"
    clock.shift(20)  # t = 55: left at 50
    state = tick(client, run_id)
    assert state["customers"][2]["phase"] == "left"
    customer = db.session.scalar(db.select(DrillCustomer).where(DrillCustomer.position == 3))
    assert customer.session_id is None and customer.left_at is not None
    status, body = reply(client, run_id, 3, "在的在的")
    assert status == 409 and body[0]["error"]
    response = client.post(f"/drills/runs/{run_id}/finish")
    assert response.status_code == 302
    run = _run(run_id)
    assert run.status == "finished"
    summary = summarise_runs([run])[run.id]
    assert (summary.served, summary.abandoned, summary.arrived) == (2, 1, 3)
    firsts = [c.first_response for c in summary.conversations]
    assert firsts == [3.0, 3.0, None]
    assert summary.conversations[2].name == "王女士"  # named even though the chat was discarded
    assert summary.within_target == 2 and summary.average_first_response == 3.0
    assert not summary.grading_pending and summary.score is not None
    expected = drill_score(2 / 3, 2 / 3, summary.average_grade, summary.breaches)
    assert summary.score == expected
    page = client.get(f"/drills/runs/{run_id}/results").get_data(as_text=True)
    assert 'data-testid="dr-served">2<' in page and 'data-testid="dr-abandoned">1<' in page


def test_follow_up_counts_the_wait_from_the_first_message(app, login_as, make_drill, clock):
    make_drill()
    client, _ = login_as("agent")
    run_id = start(client)
    clock.shift(25)  # customer 1 followed up at 20
    tick(client, run_id)
    status, events = reply(client, run_id, 1, "抱歉久等了，请问有照片吗？")
    assert status == 200, events
    session_id = _run(run_id).customers[0].session_id
    session = db.session.get(RoleplaySession, session_id)
    assert session.first_response_seconds == 25.0
    turns = db.session.scalars(
        db.select(RoleplayTurn)
        .where(RoleplayTurn.session_id == session_id)
        .order_by(RoleplayTurn.seq)
    ).all()
    assert [t.speaker for t in turns[:3]] == ["customer", "customer", "agent"]
    assert turns[1].mood == 40 - 15  # the follow-up costs mood_drop


def test_a_late_request_dates_each_event_when_it_happened(app, login_as, make_drill, clock):
    make_drill()
    client, _ = login_as("agent")
    run_id = start(client)
    clock.shift(100)  # nobody polled: everything happens at once, dated correctly
    state = tick(client, run_id)
    assert [c["phase"] for c in state["customers"]] == ["left", "left", "left"]
    run = _run(run_id)
    waits = [(c.left_at - c.arrives_at).total_seconds() for c in run.customers]
    assert waits == [40, 40, 40]
    assert run.status == "finished"
    summary = summarise_runs([run])[run.id]
    assert (summary.served, summary.abandoned, summary.score) == (0, 3, 0)


def test_the_drill_ends_at_its_length(app, login_as, make_drill, clock):
    make_drill()
    client, _ = login_as("agent")
    run_id = start(client)
    clock.shift(2)
    reply(client, run_id, 1, "您好，抱歉，请问有照片吗？")
    clock.shift(200)
    state = tick(client, run_id)
    assert state["status"] == "finished" and state["results_url"].endswith("/results")
    run = _run(run_id)
    session = db.session.get(RoleplaySession, run.customers[0].session_id)
    assert session.status == "graded" and session.ended_at == run.ends_at


def test_workspace_get_writes_nothing(app, login_as, make_drill, clock, request):
    make_drill()
    client, _ = login_as("agent")
    run_id = start(client)
    clock.shift(30)
    request.getfixturevalue("no_writes_on_get")  # fails the test on any GET write from here
    page = client.get(f"/drills/runs/{run_id}")
    assert page.status_code == 200
    assert _run(run_id).customers[1].session_id is None  # arrival waits for the next POST


def test_other_agents_cannot_see_or_drive_a_run(app, login_as, make_drill, clock):
    make_drill()
    client, _ = login_as("agent")
    run_id = start(client)
    other, _ = login_as("agent")
    assert other.get(f"/drills/runs/{run_id}").status_code == 404
    assert other.post(f"/drills/runs/{run_id}/tick").status_code == 404
    assert reply(other, run_id, 1, "hi")[0] == 404
    assert other.get(f"/drills/runs/{run_id}/results").status_code == 404


def test_one_drill_at_a_time(app, login_as, make_drill, clock):
    make_drill()
    client, _ = login_as("agent")
    start(client)
    response = client.post("/drills/tiny-rush/start", follow_redirects=True)
    assert "Finish your running drill" in response.get_data(as_text=True) or "完成" in (
        response.get_data(as_text=True)
    )
    assert db.session.scalar(db.select(db.func.count(DrillRun.id))) == 1


def test_tick_queries_do_not_grow_with_the_conversation(
    app, login_as, make_drill, clock, count_queries
):
    make_drill()
    app.config["ROLEPLAY_TURNS_PER_MINUTE"] = 1000
    client, _ = login_as("agent")
    run_id = start(client)
    clock.shift(11)
    tick(client, run_id)
    with count_queries() as small:
        tick(client, run_id)
    for position in (1, 2, 3):
        clock.shift(1)
        reply(client, run_id, position, "抱歉，请问有照片吗？")
    with count_queries() as large:
        tick(client, run_id)
    assert large.count <= small.count + 3, (small.count, large.count)


def test_a_drill_turn_costs_a_chat_turn_plus_the_runs_reading(
    app, login_as, make_drill, clock, count_queries
):
    make_drill()
    app.config["ROLEPLAY_TURNS_PER_MINUTE"] = 1000
    client, _ = login_as("agent")
    run_id = start(client)
    clock.shift(11)
    tick(client, run_id)
    counts = []
    for text in ("抱歉，请问有照片吗？", "我帮您查一下物流。", "非常抱歉，我再核实一下。"):
        clock.shift(1)
        with count_queries() as counter:
            status, events = reply(client, run_id, 1, text)
        assert status == 200 and events[-1]["type"] == "done", events
        counts.append(counter.count)
    # Nothing is due, so no commit before the turn and nothing is read twice: the signed-in
    # user's session, the run with its version and customers, first replies, the run's
    # sessions, the customer's session with its version; the chat turn's cap, recent turns,
    # policy, the agent's turn; the user (read again before the connection is handed back);
    # the reply and the session's state. The first answer also stores the first response.
    assert counts[1] <= 12 and counts[2] <= 12, counts


def test_two_requests_cannot_both_open_a_customer(app, login_as, make_drill, clock):
    import pytest

    from trainer.drills import runs
    from trainer.roleplay import sessions

    make_drill()
    client, agent = login_as("agent")
    run_id = start(client)
    run = _run(run_id)
    second = run.customers[1]
    assert second.session_id is None
    clock.shift(6)
    # Another request opened customer 2 a moment ago; this one still holds the old reading.
    other = sessions.start_session(
        agent, db.session.get(RoleplaySession, run.customers[0].session_id).scenario
    )
    db.session.execute(
        db.update(DrillCustomer).where(DrillCustomer.id == second.id).values(session_id=other.id),
        execution_options={"synchronize_session": False},
    )
    with pytest.raises(runs.Superseded):
        runs.advance_run(run)
    db.session.rollback()
    assert tick(client, run_id)["customers"][1]["session_id"] is not None


def test_llm_customers_stream_their_replies(app, login_as, make_drill, clock, fake_llm):
    fake_llm.reply = "那你们到底退不退？"
    make_drill()
    client, _ = login_as("agent")
    run_id = start(client)
    clock.shift(6)
    tick(client, run_id)
    for position in (1, 2):
        status, events = reply(client, run_id, position, "您好，我看一下。")
        assert status == 200
        assert [e["type"] for e in events][:2] == ["saved", "start"]
        assert any(e["type"] == "delta" for e in events) and events[-1]["type"] == "done"
        assert events[-1]["text"] == "那你们到底退不退？"
    run = _run(run_id)
    engines = {db.session.get(RoleplaySession, c.session_id).engine for c in run.customers[:2]}
    assert engines == {"openai"}
