"""The only module that talks to the LLM: the official openai SDK, any OpenAI-compatible server.

OPENAI_API_KEY, OPENAI_BASE_URL (OpenAI, Azure, Ollama, vLLM, llama.cpp …) and TRAINER_LLM_MODEL
come from the app config. Every call has an explicit timeout and retry count; every failure
becomes an `LLMError` with a kind the chat page can explain (timeout, rate limit, server error,
lost connection, malformed or truncated output), never an SDK exception.

Structured output negotiates the server's dialect: `json_schema`, else `json_object` with the
schema (llama-cpp-python), else JSON asked for in the prompt; every answer is validated against
the schema. The dialect that worked is remembered per (base URL, model) for the process.
"""

import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import openai
from flask import current_app

from trainer.roleplay.llmjson import SchemaError, parse_json, with_schema_prompt

TIMEOUT, RATE_LIMIT, SERVER, CONNECTION, MALFORMED, TRUNCATED = (
    "timeout",
    "rate_limit",
    "server",
    "connection",
    "malformed",
    "truncated",
)
JSON_SCHEMA, JSON_OBJECT, PROMPT = "json_schema", "json_object", "prompt"
DIALECTS = (JSON_SCHEMA, JSON_OBJECT, PROMPT)
# Words in an error body that say the server does not speak this response_format.
_DIALECT_WORDS = ("response_format", "json_schema", "json schema", "json_object", "grammar")
BACKOFF_SECONDS = 0.5

_clients: dict[tuple, openai.OpenAI] = {}
_dialects: dict[tuple[str, str], str] = {}
_lock = threading.Lock()


class LLMError(Exception):
    """A failed model call; `kind` is one of the constants above; `tokens` what the server
    reports the call used all the same (an answer that was cut off or could not be used)."""

    def __init__(self, kind: str, detail: str = "", tokens: int = 0) -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail
        self.tokens = tokens


class DialectRefused(LLMError):
    """The server refused the structured-output dialect (not an error of the model)."""

    def __init__(self, dialect: str, detail: str) -> None:
        super().__init__(SERVER, f"{dialect} refused: {detail}")
        self.dialect = dialect


def enabled() -> bool:
    """True when an API key is configured."""
    return bool(current_app.config.get("OPENAI_API_KEY"))


def model_name() -> str:
    """The configured model."""
    return current_app.config.get("TRAINER_LLM_MODEL") or "gpt-4o-mini"


def base_url() -> str:
    """The configured server (empty: OpenAI's own)."""
    return current_app.config.get("OPENAI_BASE_URL") or ""


def _retries() -> int:
    return int(current_app.config.get("ROLEPLAY_LLM_MAX_RETRIES", 2))


def _client(max_retries: int | None = None) -> openai.OpenAI:
    """One SDK client (and connection pool) per configuration, shared by threads."""
    cfg = current_app.config
    key = (
        cfg.get("OPENAI_API_KEY"),
        base_url(),
        float(cfg.get("ROLEPLAY_LLM_TIMEOUT", 30)),
        _retries() if max_retries is None else max_retries,
    )
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = openai.OpenAI(
                api_key=key[0], base_url=key[1] or None, timeout=key[2], max_retries=key[3]
            )
            _clients[key] = client
    return client


def _translate(error: Exception) -> LLMError:
    """Map SDK and transport errors to our kinds (order matters: timeouts are connection errors)."""
    if isinstance(error, LLMError):
        return error
    if isinstance(error, openai.APITimeoutError):
        return LLMError(TIMEOUT, str(error))
    if isinstance(error, openai.RateLimitError):
        return LLMError(RATE_LIMIT, str(error))
    if isinstance(error, openai.APIStatusError):
        return LLMError(SERVER, f"HTTP {error.status_code}")
    if isinstance(error, openai.APIConnectionError):
        return LLMError(CONNECTION, str(error))
    if isinstance(error, ValueError | openai.APIResponseValidationError | KeyError | TypeError):
        return LLMError(MALFORMED, str(error))
    if isinstance(error, openai.OpenAIError):
        return LLMError(SERVER, str(error))
    return LLMError(CONNECTION, repr(error))


def _transient(error: Exception) -> bool:
    """Worth another try: rate limits, server errors, timeouts and lost connections only."""
    if isinstance(error, DialectRefused):
        return False
    if isinstance(error, openai.APIStatusError):
        return error.status_code == 429 or error.status_code >= 500
    return isinstance(error, openai.APIConnectionError)  # includes timeouts


@dataclass
class Usage:
    """Tokens a call consumed (filled in when the call completes); `reported` by the server."""

    tokens: int = 0
    reported: bool = False


def stream_chat(
    messages: list[dict], *, max_tokens: int, temperature: float = 0.8, usage: Usage | None = None
) -> Iterator[str]:
    """Stream a chat completion as text pieces; raises LLMError on any failure, even mid-stream."""
    usage = usage if usage is not None else Usage()
    produced = 0
    try:
        stream = _client().chat.completions.create(
            model=model_name(),
            messages=messages,
            stream=True,
            stream_options={"include_usage": True},
            max_tokens=max_tokens,
            temperature=temperature,
        )
        try:
            for chunk in stream:
                if chunk.usage is not None:
                    usage.tokens = chunk.usage.total_tokens or 0
                    usage.reported = bool(usage.tokens)
                if not chunk.choices:
                    continue
                piece = chunk.choices[0].delta.content
                if piece:
                    produced += len(piece)
                    yield piece
        finally:
            stream.close()
    except LLMError:
        raise
    except GeneratorExit:
        raise
    except Exception as error:  # noqa: BLE001 - every failure must reach the agent as a message
        raise _translate(error) from error
    if not usage.tokens:
        # Servers that do not report usage: estimate (CJK text is about one token a character).
        usage.tokens = produced + sum(len(m.get("content") or "") for m in messages) // 2


def list_models() -> list[str]:
    """The model ids the server lists (raises LLMError)."""
    try:
        return sorted(model.id for model in _client(0).models.list())
    except Exception as error:  # noqa: BLE001 - mapped to a kind the caller handles
        raise _translate(error) from error


# ---------------------------------------------------------------- structured output


def _request(dialect: str, messages: list[dict], schema: dict, name: str) -> dict:
    """The dialect-specific part of the request."""
    if dialect == JSON_SCHEMA:
        fmt = {
            "type": "json_schema",
            "json_schema": {"name": name, "strict": True, "schema": schema},
        }
        return {"messages": messages, "response_format": fmt}
    prompted = with_schema_prompt(messages, schema)
    if dialect == JSON_OBJECT:
        return {"messages": prompted, "response_format": {"type": "json_object", "schema": schema}}
    return {"messages": prompted}


def _refusal(dialect: str, error: Exception) -> DialectRefused | None:
    """The error as a dialect refusal, when the server says it does not take this format."""
    if dialect == PROMPT or not isinstance(error, openai.APIStatusError):
        return None
    if error.status_code not in (400, 422, 500, 501):
        return None
    try:
        body = error.response.text
    except Exception:  # noqa: BLE001 - a body that cannot be read says nothing
        body = ""
    text = f"{error.message} {body}".lower()
    if any(word in text for word in _DIALECT_WORDS):
        return DialectRefused(dialect, f"HTTP {error.status_code}")
    return None


def structured_call(
    dialect: str, messages: list[dict], *, schema: dict, name: str, max_tokens: int
) -> tuple[dict, Usage]:
    """One structured call in one dialect, retrying only transient failures, with back-off."""
    attempts = _retries() + 1
    for attempt in range(attempts):
        try:
            response = _client(0).chat.completions.create(
                model=model_name(),
                temperature=0,
                max_tokens=max_tokens,
                **_request(dialect, messages, schema, name),
            )
            break
        except Exception as error:  # noqa: BLE001 - mapped to a kind the caller handles
            refused = _refusal(dialect, error)
            if refused is not None:
                raise refused from error
            if not _transient(error) or attempt + 1 == attempts:
                raise _translate(error) from error
            time.sleep(BACKOFF_SECONDS * 2**attempt * (1 + random.random() / 2))  # noqa: S311
    try:
        choice = response.choices[0]
        content = choice.message.content or ""
    except (IndexError, AttributeError, TypeError) as error:
        raise LLMError(MALFORMED, "no choice in the answer") from error
    tokens = (response.usage.total_tokens or 0) if response.usage else 0
    usage = Usage(tokens=tokens, reported=bool(tokens))
    if choice.finish_reason == "length":
        raise LLMError(
            TRUNCATED, f"the answer was cut off at {max_tokens} tokens", tokens=usage.tokens
        )
    try:
        return parse_json(content, schema), usage
    except SchemaError as error:
        raise LLMError(MALFORMED, str(error), tokens=usage.tokens) from error


def dialect_in_use() -> str | None:
    """The dialect remembered for the configured server and model, if any call settled it."""
    with _lock:
        return _dialects.get((base_url(), model_name()))


def complete_json(
    messages: list[dict], *, schema: dict, name: str, max_tokens: int
) -> tuple[dict, int]:
    """A structured-output completion at temperature 0: (validated JSON object, tokens used)."""
    key = (base_url(), model_name())
    known = dialect_in_use()
    for dialect in DIALECTS[DIALECTS.index(known) :] if known else DIALECTS:
        try:
            data, usage = structured_call(
                dialect, messages, schema=schema, name=name, max_tokens=max_tokens
            )
        except DialectRefused:
            continue
        except LLMError as error:
            if error.kind in (MALFORMED, TRUNCATED):
                with _lock:
                    _dialects[key] = dialect  # the server took the request: the dialect works
            raise
        with _lock:
            _dialects[key] = dialect
        return data, usage.tokens
    with _lock:
        _dialects.pop(key, None)  # the server changed: negotiate again from the start next time
    raise LLMError(SERVER, "the server refused every structured-output dialect")
