"""The customer through the real chat endpoints: stored state, constant turn cost, old sessions."""

import re

from tests.roleplay.conftest import say, start_chat, tiny_spec
from trainer.extensions import db
from trainer.roleplay.models import RoleplaySession

# A helpful answer that never meets the tiny customer's goal (a full refund): the chat goes on.
FILLER = "商家收到退货后 48 小时内审核（第 {n} 条说明）。"


def _session(session_id):
    db.session.expire_all()
    return db.session.get(RoleplaySession, session_id)


def _long_scenario(make_scenario):
    return make_scenario(
        tiny_spec(end={"max_turns": 50}, persona={**tiny_spec()["persona"], "patience": 5})
    )


def test_state_is_stored_with_the_session_and_updated_per_turn(app, login_as, make_scenario, clock):
    make_scenario()
    client, _ = login_as("agent")
    session_id = start_chat(client, "tiny-parcel")
    state = _session(session_id).state
    assert state["mood"] == 40 and state["open"] == ["refund"] and state["agent_turns"] == 0
    clock.shift(10)
    _, events = say(client, session_id, "您好，方便发一下照片吗？")
    state = _session(session_id).state
    assert state["revealed"] == ["has_photos"] and state["agent_turns"] == 1
    assert state["mood"] == events[-1]["mood"] == _session(session_id).mood
    clock.shift(10)
    _, events = say(client, session_id, "已同意。")
    assert not events[-1]["ended"]  # the magic word resolves nothing
    assert _session(session_id).state["open"] == ["refund"]
    clock.shift(10)
    _, events = say(client, session_id, "非常抱歉，给您全额退款，已退款。")
    assert events[-1]["ended"] and events[-1]["end_reason"] == "resolved"
    session = _session(session_id)
    assert session.state["met"] == ["refund"] and session.state["ended"] == "resolved"
    assert session.end_reason == "resolved"


def test_the_customer_never_reasks_and_pushes_back_through_the_chat(
    app, login_as, make_scenario, clock
):
    make_scenario()
    client, _ = login_as("agent")
    session_id = start_chat(client, "tiny-parcel")
    clock.shift(10)
    _, events = say(client, session_id, "我帮您看看。")
    assert events[-1]["text"].endswith("能不能给我退款？")
    clock.shift(10)
    _, events = say(client, session_id, "全额退款的话可能要看情况。")
    assert events[-1]["text"].endswith("到底退不退？")


def test_turn_40_issues_no_more_sql_than_turn_2(app, login_as, make_scenario, clock, count_queries):
    app.config["ROLEPLAY_TURNS_PER_MINUTE"] = 1000
    _long_scenario(make_scenario)
    client, _ = login_as("agent")
    session_id = start_chat(client, "tiny-parcel")
    counts = {}
    for n in range(1, 41):
        clock.shift(10)
        with count_queries() as counter:
            status, events = say(client, session_id, FILLER.format(n=n))
        assert status == 200 and events[-1]["type"] == "done", events[-1]
        assert not events[-1]["ended"], (n, events[-1])
        counts[n] = counter.count
    assert len(_session(session_id).turns) == 81
    assert counts[40] <= counts[2], counts
    # The signed-in user's session, the chat session with its version, the turn cap, the recent
    # turns, the policy in force, the agent's turn, the user (read again before the connection
    # is handed back); then the reply and the session's state (its status read back).
    assert counts[2] <= 9, counts


def test_old_session_without_state_is_replayed_once_on_post_never_on_get(
    app, login_as, make_scenario, clock
):
    make_scenario()
    client, _ = login_as("agent")
    session_id = start_chat(client, "tiny-parcel")
    clock.shift(10)
    say(client, session_id, "方便发一下照片吗？")
    clock.shift(10)
    say(client, session_id, "非常抱歉，我帮您查一下。")
    expected = _session(session_id).state
    # A row from before the migration: no stored state.
    session = _session(session_id)
    session.state = None
    db.session.commit()
    page = client.get(f"/roleplay/sessions/{session_id}")
    assert page.status_code == 200
    assert _session(session_id).state is None  # a GET never writes
    clock.shift(10)
    _, events = say(client, session_id, "能再发一次照片吗？")
    assert events[-1]["type"] == "done"
    state = _session(session_id).state
    assert state["revealed"] == expected["revealed"] == ["has_photos"]
    assert state["agent_turns"] == expected["agent_turns"] + 1
    assert not re.search("我拍了照片的", events[-1]["text"])  # told once, not again
