"""The LLM customer: the same state in its instructions, the same endings, and it stays in role.

The real openai SDK talks to the fake OpenAI-compatible server (tests/roleplay/fake_openai.py).
"""

from tests.roleplay.conftest import say, start_chat
from trainer.extensions import db
from trainer.roleplay.engines.inrole import in_role_part, role_break
from trainer.roleplay.models import RoleplaySession

AGENT_VOICE = "亲，您好，我是客服小美，为您提供以下方案：\n1. 退货退款\n2. 换货"


def _session(session_id):
    db.session.expire_all()
    return db.session.get(RoleplaySession, session_id)


def _replies(*texts):
    """A fake model that answers the customer's requests with `texts` in turn (then the last)."""
    calls = []

    def reply(body):
        calls.append(body)
        return texts[min(len(calls), len(texts)) - 1]

    return reply, calls


def test_prompt_carries_the_state_and_the_stop_marker(
    app, login_as, make_scenario, fake_llm, clock
):
    fake_llm.reply = "那你们到底退不退？"
    make_scenario()
    client, _ = login_as("agent")
    session_id = start_chat(client, "tiny-parcel")
    clock.shift(5)
    say(client, session_id, "您好，我看一下。")
    system = fake_llm.chat_requests()[-1]["messages"][0]["content"]
    assert "What you still need" in system and "能不能退款" in system
    assert "What you do not know" in system and "[END]" in system
    assert "Ask about '能不能退款'" in system
    assert "我拍了照片的" not in system  # not asked yet, so not known to the model
    clock.shift(5)
    fake_llm.reply = "好的，谢谢。[END]"
    _, events = say(client, session_id, "非常抱歉，给您全额退款，已退款。")
    system = fake_llm.chat_requests()[-1]["messages"][0]["content"]
    assert "Already answered" in system and "thank the agent" in system
    # The marker never reaches the page; the state machine decided the ending.
    assert events[-1]["text"] == "好的，谢谢。" and events[-1]["end_reason"] == "resolved"


def test_the_models_stop_marker_alone_ends_nothing(app, login_as, make_scenario, fake_llm, clock):
    fake_llm.reply = "好吧，就这样吧。[END]"
    make_scenario()
    client, _ = login_as("agent")
    session_id = start_chat(client, "tiny-parcel")
    clock.shift(5)
    _, events = say(client, session_id, "已同意。")
    assert events[-1]["text"] == "好吧，就这样吧。" and not events[-1]["ended"]
    assert _session(session_id).status == "active"


def test_an_agent_voiced_reply_is_regenerated_once(app, login_as, make_scenario, fake_llm, clock):
    fake_llm.reply, calls = _replies(AGENT_VOICE, "你就说能不能退款吧！")
    make_scenario()
    client, _ = login_as("agent")
    session_id = start_chat(client, "tiny-parcel")
    clock.shift(5)
    _, events = say(client, session_id, "我帮您查一下。")
    assert events[-1]["text"] == "你就说能不能退款吧！"
    assert _session(session_id).turns[-1].text == "你就说能不能退款吧！"
    assert len(calls) == 2
    assert "spoke as the shop's agent" in calls[1]["messages"][-1]["content"]
    # Nothing of the agent-voiced draft reached the page.
    deltas = "".join(e["text"] for e in events if e["type"] == "delta")
    assert "我是客服" not in deltas and "1." not in deltas


def test_a_reply_that_breaks_role_twice_is_cut_to_its_in_role_sentences(
    app, login_as, make_scenario, fake_llm, clock
):
    fake_llm.reply, calls = _replies("我等你消息。" + AGENT_VOICE, AGENT_VOICE)
    make_scenario()
    client, _ = login_as("agent")
    session_id = start_chat(client, "tiny-parcel")
    clock.shift(5)
    _, events = say(client, session_id, "我帮您查一下。")
    assert events[-1]["text"] == "我等你消息。"
    assert len(calls) == 2


def test_without_any_in_role_sentence_the_scripted_line_is_used(
    app, login_as, make_scenario, fake_llm, clock
):
    fake_llm.reply = AGENT_VOICE
    make_scenario()
    client, _ = login_as("agent")
    session_id = start_chat(client, "tiny-parcel")
    clock.shift(5)
    _, events = say(client, session_id, "请问订单号是多少？")
    assert events[-1]["text"] == "订单号 2024111100123。"  # the scripted customer's line


def test_role_checks():
    assert role_break("亲，您好，我是客服") == 0
    assert role_break("那你们打算怎么处理？\n1. 退款\n2. 换货") is not None
    assert role_break("我周五之前必须收到，能做到吗？") is None
    assert role_break("我是客户，不是客服，你搞清楚。") is None
    assert in_role_part("好的我等你。请问还有什么可以帮您？") == "好的我等你。"
    assert in_role_part("很高兴为您服务！") == ""
