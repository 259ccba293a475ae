"""What the fake OpenAI server answers to judge requests, in whichever dialect they come."""

import json


def default_judge(body: dict) -> dict:
    """Full marks on every item, quoting the start of the agent's first turn verbatim."""
    items = request_schema(body)["properties"]["items"]["properties"]
    quote = first_agent_text(body)[:12]
    grades = {}
    for item_id, item_schema in items.items():
        allowed = [v for v in item_schema["properties"]["score"]["enum"] if v is not None]
        grades[item_id] = {
            "evidence": quote,
            "level": "met",
            "score": max(allowed),
            "justification": "fake judge: full marks",
        }
    return {"items": grades}


def request_schema(body: dict) -> dict:
    """The JSON schema a structured request asks for, in whichever dialect it was sent."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return fmt["json_schema"]["schema"]
    if fmt.get("schema"):
        return fmt["schema"]
    system = body["messages"][0]["content"]
    return json.loads(system[system.rindex("JSON schema:\n") + len("JSON schema:\n") :])


def first_agent_text(body: dict) -> str:
    """The first agent turn of the transcript the judge was sent (JSON between markers)."""
    for message in body["messages"]:
        content = message.get("content") or ""
        start = content.find("[")
        end = content.rfind("]")
        if message["role"] == "user" and start >= 0 and end > start:
            try:
                turns = json.loads(content[start : end + 1])
            except ValueError:
                continue
            for turn in turns:
                if isinstance(turn, dict) and turn.get("speaker") == "agent":
                    return turn["text"]
    return ""
