"""The customer's state machine on its own: goal, vague answers, facts, patience, endings."""

from datetime import UTC, datetime

import pytest

from tests.roleplay.conftest import tiny_spec
from trainer.roleplay.conversation import GAVE_UP, RESOLVED, State, initial_state, react
from trainer.roleplay.customer.replies import scripted_reply
from trainer.roleplay.transcript import Line

NEEDS = [
    {
        "id": "refund",
        "need": "能不能退款",
        "kind": "decision",
        "words": ["全额退款", "可以退款"],
        "ask": "能不能给我退款？",
        "pushback": "到底退不退？",
    },
    {
        "id": "refund_time",
        "need": "钱多久到账",
        "kind": "time",
        "words": ["到账", "原路退回"],
        "ask": "钱多久能到账？",
        "pushback": "具体多久？",
    },
]


@pytest.fixture
def spec(app):
    """The tiny scenario with a two-part goal (decision + timing) and a supervisor line."""
    from trainer.roleplay.scenarios import normalise

    raw = tiny_spec(goal={"needs": NEEDS}, end={"max_turns": 20})
    raw["script"]["supervisor_reply"] = "叫你们主管来！"
    normalised, problems = normalise(raw)
    assert problems == []
    return normalised


class Chat:
    """Feeds agent turns through the state machine, keeping the state as a session would."""

    def __init__(self, spec):
        self.spec = spec
        self.state = initial_state(spec)
        self.replies: list[str] = []
        self.reaction = None

    def say(self, text: str, seconds: float = 10) -> str:
        line = Line(len(self.replies) * 2 + 1, "agent", text, datetime.now(UTC))
        self.state, self.reaction = react(self.spec, self.state, [line], seconds)
        # Stored as JSON and read back each turn, as the session does.
        self.state = State.from_json(self.state.to_json())
        self.replies.append(scripted_reply(self.spec, self.reaction))
        return self.replies[-1]


def test_the_customer_asks_for_what_is_open_and_never_again_once_given(spec):
    chat = Chat(spec)
    assert chat.say("您好，我看一下。").endswith("能不能给我退款？")
    assert "能不能给我退款" not in chat.say("可以给您全额退款。")
    assert chat.state.met == ("refund",) and chat.state.open == ("refund_time",)
    # An unhelpful turn afterwards: the customer asks for what is still open, not the refund.
    reply = chat.say("嗯嗯。")
    assert "能不能给我退款" not in reply and reply.endswith("钱多久能到账？")
    assert "能不能给我退款" not in chat.say("方便发一下照片吗？")


def test_vague_answers_get_pushback_instead_of_satisfaction(spec):
    chat = Chat(spec)
    chat.say("可以给您全额退款。")
    reply = chat.say("退款会尽快原路退回的。")
    assert reply == "具体多久？"
    assert chat.state.open == ("refund_time",) and chat.reaction.pushback["id"] == "refund_time"
    # A hedged decision is no decision either.
    other = Chat(spec)
    assert other.say("应该可以退款吧，我问问。").endswith("到底退不退？")
    assert other.state.met == ()


def test_hidden_facts_are_revealed_only_when_asked(spec):
    chat = Chat(spec)
    assert "我拍了照片的" not in chat.say("照片的事情我们之后再说。")
    assert chat.state.revealed == ()
    assert chat.say("方便发一下照片吗？").startswith("我拍了照片的。")
    assert chat.state.revealed == ("has_photos",)
    # Told once: asking again does not repeat it.
    assert "我拍了照片的" not in chat.say("能再发一次照片吗？")


def test_resolved_only_when_the_whole_goal_is_met(spec):
    chat = Chat(spec)
    chat.say("非常抱歉，可以给您全额退款。")
    assert chat.reaction.end_reason is None
    chat.say("退款原路退回，1-3 个工作日到账。")
    assert chat.reaction.end_reason == RESOLVED
    assert chat.replies[-1] == "好的，谢谢。"
    assert chat.state.ended == RESOLVED and chat.state.open == ()


def test_typing_agreed_alone_resolves_nothing(spec):
    chat = Chat(spec)
    for text in ["已同意", "已同意。已通过。", "已退款"]:
        chat.say(text)
        assert chat.reaction.end_reason != RESOLVED
    assert chat.state.met == ()


def test_repeated_unhelpful_turns_bring_a_supervisor_request_then_the_customer_leaves(spec):
    chat = Chat(spec)  # patience 2
    chat.say("嗯。")
    assert "叫你们主管来" in chat.say("嗯嗯。")
    assert chat.state.supervisor_asked
    chat.say("哦。")
    assert chat.reaction.end_reason is None or chat.reaction.end_reason == GAVE_UP
    chat.say("嗯。")
    assert chat.reaction.end_reason == GAVE_UP
    assert chat.replies[-1] == "算了，我去投诉。"


def test_a_helpful_turn_resets_patience(spec):
    chat = Chat(spec)
    chat.say("嗯。")
    chat.say("方便发一下照片吗？")
    assert chat.state.unhelpful_streak == 0


def test_rudeness_and_a_breach_cost_mood_sharply(spec):
    polite = Chat(spec)
    polite.say("我帮您看一下。")
    rude = Chat(spec)
    rude.say("你有病吧，烦不烦。")
    assert rude.state.mood <= polite.state.mood - 20
    assert "态度" in rude.replies[-1]
    breach = Chat(spec)
    breach.say("您加我微信私下转账，我给您退。")
    assert breach.state.mood <= polite.state.mood - 20
    assert breach.reaction.breach


def test_state_round_trips_through_json(spec):
    chat = Chat(spec)
    chat.say("方便发一下照片吗？")
    chat.say("可以给您全额退款。")
    stored = chat.state.to_json()
    assert stored["v"] == 1 and stored["met"] == ["refund"]
    assert State.from_json(stored) == chat.state
    assert stored["agent_turns"] == 2 and stored["revealed"] == ["has_photos"]
