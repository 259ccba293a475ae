"""Structured output against servers speaking each dialect, through the real openai SDK."""

import pytest

from tests.roleplay.conftest import tiny_spec
from tests.roleplay.fake_openai import request_schema
from trainer.roleplay import judge, llm
from trainer.roleplay.scenarios import normalise
from trainer.roleplay.transcript import AGENT, CUSTOMER, Line

SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string", "maxLength": 20}},
    "required": ["answer"],
    "additionalProperties": False,
}
MESSAGES = [{"role": "system", "content": "Answer."}, {"role": "user", "content": "Hi"}]


@pytest.fixture(autouse=True)
def _forget_dialects():
    llm._dialects.clear()
    yield
    llm._dialects.clear()


def _kinds(server) -> list[str | None]:
    return [(r.get("response_format") or {}).get("type") for r in server.requests]


def _ask():
    return llm.complete_json(MESSAGES, schema=SCHEMA, name="answer", max_tokens=50)


@pytest.mark.parametrize(
    ("dialect", "tried"),
    [
        ("json_schema", ["json_schema"]),
        ("json_object", ["json_schema", "json_object"]),
        ("prompt", ["json_schema", "json_object", None]),
    ],
)
def test_each_dialect_is_negotiated_once_and_remembered(app, fake_llm, dialect, tried):
    fake_llm.dialect = dialect
    app.config["ROLEPLAY_LLM_MAX_RETRIES"] = 2
    fake_llm.judge = lambda body: {"answer": "好"}
    data, tokens = _ask()
    assert data == {"answer": "好"} and tokens > 0
    assert _ask()[0] == {"answer": "好"}
    # The first call negotiated (no retry of a refusal); the second went straight to the dialect.
    assert _kinds(fake_llm) == [*tried, tried[-1]]
    assert llm.dialect_in_use() == dialect
    if dialect != "json_schema":
        # The schema travels with the request: in the json_object format and in the prompt.
        body = fake_llm.requests[-1]
        assert request_schema(body) == SCHEMA
        assert "JSON schema" in body["messages"][0]["content"]


def test_prompt_dialect_answer_is_validated_against_the_schema(app, fake_llm):
    fake_llm.dialect = "prompt"
    fake_llm.judge = lambda body: (
        '```json\n{"answer": "这个回答远远超过了二十个字符的长度限制，不合格"}\n```'
    )
    with pytest.raises(llm.LLMError) as caught:
        _ask()
    assert caught.value.kind == llm.MALFORMED and "answer" in caught.value.detail
    fake_llm.judge = lambda body: '好的：\n```json\n{"answer": "好"}\n```'
    assert _ask()[0] == {"answer": "好"}


@pytest.mark.parametrize(("fault", "kind"), [("400", llm.SERVER), ("malformed", llm.MALFORMED)])
def test_client_errors_and_invalid_answers_are_not_retried(app, fake_llm, fault, kind):
    app.config["ROLEPLAY_LLM_MAX_RETRIES"] = 3
    fake_llm.judge = lambda body: {"answer": "好"}
    fake_llm.fail_next(fault)
    with pytest.raises(llm.LLMError) as caught:
        _ask()
    assert caught.value.kind == kind
    assert len(fake_llm.requests) == 1


def test_wrong_shape_is_not_retried(app, fake_llm):
    app.config["ROLEPLAY_LLM_MAX_RETRIES"] = 3
    fake_llm.judge = lambda body: {"answer": 42}
    with pytest.raises(llm.LLMError) as caught:
        _ask()
    assert caught.value.kind == llm.MALFORMED and len(fake_llm.requests) == 1


@pytest.mark.parametrize("fault", ["429", "500"])
def test_rate_limits_and_server_errors_are_retried_with_backoff(app, fake_llm, monkeypatch, fault):
    monkeypatch.setattr(llm, "BACKOFF_SECONDS", 0.01)
    app.config["ROLEPLAY_LLM_MAX_RETRIES"] = 2
    fake_llm.judge = lambda body: {"answer": "好"}
    fake_llm.fail_next(fault, times=2)
    assert _ask()[0] == {"answer": "好"}
    assert len(fake_llm.requests) == 3
    fake_llm.fail_next(fault, times=3)
    with pytest.raises(llm.LLMError) as caught:
        _ask()
    assert caught.value.kind == (llm.RATE_LIMIT if fault == "429" else llm.SERVER)
    assert len(fake_llm.requests) == 6


def test_a_cut_off_answer_is_reported_as_truncated(app, fake_llm):
    fake_llm.judge = lambda body: {"answer": "好"}
    fake_llm.fail_next("length")
    with pytest.raises(llm.LLMError) as caught:
        _ask()
    assert caught.value.kind == llm.TRUNCATED and len(fake_llm.requests) == 1


def _spec():
    spec, problems = normalise(tiny_spec())
    assert problems == []
    return spec


def _lines(agent_text: str) -> list[Line]:
    from tests.roleplay.conftest import START

    return [Line(0, CUSTOMER, "杯子碎了！怎么办？", START), Line(1, AGENT, agent_text, START)]


def test_same_transcript_same_prompt_and_an_unguessable_delimiter(app):
    spec = _spec()
    items = [i for i in spec["rubric"]["items"] if i["kind"] == "judged"]
    first = judge.judge_messages(spec, items, _lines("非常抱歉！"))
    assert judge.judge_messages(spec, items, _lines("非常抱歉！")) == first
    other = judge.judge_messages(spec, items, _lines("非常抱歉！！"))
    marker = first[1]["content"].split(">", 1)[0].lstrip("<")
    assert marker.startswith("transcript-") and marker not in other[1]["content"]
    app.config["SECRET_KEY"] = "another-secret"
    assert judge.judge_messages(spec, items, _lines("非常抱歉！")) != first
    # Levels are described and the evidence comes before the level and the score.
    system = first[0]["content"]
    assert "met" in system and "partly" in system and "not_met" in system
    assert system.index("evidence") < system.index("then the level")


def test_every_string_of_the_judge_schema_is_bounded(app):
    spec = _spec()
    items = [i for i in spec["rubric"]["items"] if i["kind"] == "judged"]
    schema = judge.judge_schema(items)

    def strings(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and "enum" not in node:
                yield node
            for value in node.values():
                yield from strings(value)

    found = list(strings(schema))
    assert len(found) == 2 and all(node.get("maxLength") for node in found)
    item = schema["properties"]["items"]["properties"]["empathy"]
    assert list(item["properties"]) == ["evidence", "level", "score", "justification"]


def test_truncated_judge_answer_falls_back_with_its_own_kind(app, fake_llm):
    from trainer.roleplay.grading import grade_transcript

    fake_llm.fail_next("length")
    grade = grade_transcript(_spec(), _lines("非常抱歉！"), judge="llm")
    assert grade.judge == "offline_fallback"
    assert {"code": "judge_unavailable", "kind": "truncated"} in grade.flags
