"""Faults of the model server, through the whole practice: turn, retry, end, grade, result.

The fake OpenAI server answers one customer turn and then the judge call with a fault: 429,
500, malformed JSON, a stream cut in the middle, a hang past the client's timeout, or a stream
that stops after its first piece. Whatever it does: no 500, the agent's transcript is kept, the
turn can be retried, the session is graded (by the offline judge, the grade saying why), and
every budget reservation is released or settled with what the server reported.
"""

import pytest

from tests.roleplay.conftest import say, start_chat
from trainer.extensions import db
from trainer.roleplay import budget
from trainer.roleplay.models import AIBudgetDay, RoleplaySession

FAULTS = [
    # (customer turn fault, error kind shown, judge call fault, judge error kind)
    ("429", "rate_limit", "429", "rate_limit"),
    ("500", "server", "500", "server"),
    ("malformed", "malformed", "malformed", "malformed"),
    ("drop", "connection", "length", "truncated"),
    ("timeout", "timeout", "timeout", "timeout"),
    ("stall", "timeout", "timeout", "timeout"),
]


def _session(session_id: int) -> RoleplaySession:
    db.session.expire_all()
    return db.session.get(RoleplaySession, session_id)


def _ledger(user_id: int) -> AIBudgetDay:
    db.session.expire_all()
    scope = budget.user_scope(user_id)
    return db.session.scalar(db.select(AIBudgetDay).where(AIBudgetDay.scope == scope))


@pytest.mark.parametrize(("fault", "kind", "judge_fault", "judge_kind"), FAULTS)
def test_a_model_fault_never_loses_the_transcript_or_the_grade(
    app, login_as, make_scenario, fake_llm, fault, kind, judge_fault, judge_kind
):
    # A client timeout that a loaded CI machine meets for every answered request, and a hang
    # well past it.
    app.config["ROLEPLAY_LLM_TIMEOUT"] = 3.0
    fake_llm.slow_seconds = 4.5
    fake_llm.reply = "好的，那你快点处理。"
    make_scenario()
    client, agent = login_as("agent")
    session_id = start_chat(client, "tiny-parcel")

    fake_llm.fail_next(fault)
    status, events = say(client, session_id, "非常抱歉让您着急了，我马上处理。")
    assert status == 200
    assert events[0]["type"] == "saved" and events[0]["seq"] == 1  # acknowledged, kept
    assert events[-1]["type"] == "error" and events[-1]["kind"] == kind
    fake_llm.release()  # a stalled stream may finish now; nobody is listening any more
    session = _session(session_id)
    assert [t.speaker for t in session.turns] == ["customer", "agent"]
    assert _ledger(agent.id).reserved == 0  # the failed reply's reservation is released

    page = client.get(f"/roleplay/sessions/{session_id}")
    assert page.status_code == 200 and 'data-pending="true"' in page.get_data(as_text=True)
    retried = client.post(f"/roleplay/sessions/{session_id}/reply", json={}, buffered=True)
    assert retried.status_code == 200 and '"type": "done"' in retried.get_data(as_text=True)
    assert _session(session_id).turns[-1].text == "好的，那你快点处理。"

    # Ending queues the grading job (run inline here): the judge call meets the fault, and with
    # nobody to retry later the offline fallback grade is stored at once.
    fake_llm.fail_next(judge_fault)
    assert client.post(f"/roleplay/sessions/{session_id}/end").status_code == 302

    session = _session(session_id)
    assert session.status == "graded"
    grade = session.grade
    assert grade.judge == "offline_fallback" and grade.flagged
    assert {"code": "judge_unavailable", "kind": judge_kind} in grade.flags
    result = client.get(f"/roleplay/sessions/{session_id}/result")
    assert result.status_code == 200
    assert "离线评分" in result.get_data(as_text=True) or "offline" in result.get_data(as_text=True)

    row = _ledger(agent.id)
    spent = sum(t.tokens or 0 for t in session.turns) + grade.tokens
    assert row.reserved == 0 and row.used == spent
    if judge_kind == "truncated":
        assert grade.tokens > 0  # a cut-off judge answer still cost its tokens
