"""JSON answers of a model: asked for in the prompt, extracted and validated against a schema."""

import json

import jsonschema


class SchemaError(ValueError):
    """The answer is not JSON, not an object, or does not match the schema."""


def with_schema_prompt(messages: list[dict], schema: dict) -> list[dict]:
    """The messages plus an instruction to answer with JSON matching the schema."""
    note = (
        "Answer with one JSON object only (no code fence, no text before or after it) that "
        "validates against this JSON schema:\n" + json.dumps(schema, ensure_ascii=False)
    )
    if messages and messages[0]["role"] == "system":
        first = {**messages[0], "content": f"{messages[0]['content']}\n\n{note}"}
        return [first, *messages[1:]]
    return [{"role": "system", "content": note}, *messages]


def parse_json(content: str, schema: dict) -> dict:
    """The JSON object in a model's answer, validated against the schema (raises SchemaError)."""
    text = content.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    start, end = text.find("{"), text.rfind("}")
    try:
        data = json.loads(text[start : end + 1] if 0 <= start < end else text)
    except ValueError as error:
        raise SchemaError("the model did not return JSON") from error
    if not isinstance(data, dict):
        raise SchemaError("the model did not return a JSON object")
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(data)
    )
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        raise SchemaError(f"not valid for the schema at {where}: {error.message[:200]}")
    return data
