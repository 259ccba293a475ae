"""The only module that talks to the LLM: the official openai SDK, any OpenAI-compatible server.

OPENAI_API_KEY, OPENAI_BASE_URL (OpenAI, Azure, Ollama, vLLM, llama.cpp …) and TRAINER_LLM_MODEL
come from the app config. Every call has an explicit timeout and retry count; every failure
becomes an `LLMError` with a kind the chat page can explain (timeout, rate limit, server error,
lost connection, malformed output), never an SDK exception.
"""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import openai
from flask import current_app

TIMEOUT, RATE_LIMIT, SERVER, CONNECTION, MALFORMED = (
    "timeout",
    "rate_limit",
    "server",
    "connection",
    "malformed",
)

_clients: dict[tuple, openai.OpenAI] = {}
_clients_lock = threading.Lock()


class LLMError(Exception):
    """A failed model call; `kind` is one of the constants above."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


def enabled() -> bool:
    """True when an API key is configured."""
    return bool(current_app.config.get("OPENAI_API_KEY"))


def model_name() -> str:
    """The configured model."""
    return current_app.config.get("TRAINER_LLM_MODEL") or "gpt-4o-mini"


def _client() -> openai.OpenAI:
    """One SDK client (and connection pool) per configuration, shared by threads."""
    cfg = current_app.config
    key = (
        cfg.get("OPENAI_API_KEY"),
        cfg.get("OPENAI_BASE_URL"),
        float(cfg.get("ROLEPLAY_LLM_TIMEOUT", 30)),
        int(cfg.get("ROLEPLAY_LLM_MAX_RETRIES", 2)),
    )
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = openai.OpenAI(
                api_key=key[0],
                base_url=key[1] or None,
                timeout=key[2],
                max_retries=key[3],
            )
            _clients[key] = client
    return client


def _translate(error: Exception) -> LLMError:
    """Map SDK and transport errors to our kinds (order matters: timeouts are connection errors)."""
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


@dataclass
class Usage:
    """Tokens a call consumed (filled in when the call completes)."""

    tokens: int = 0


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


def complete_json(
    messages: list[dict], *, schema: dict, name: str, max_tokens: int
) -> tuple[dict, int]:
    """A structured-output completion at temperature 0: (parsed JSON object, tokens used)."""
    try:
        response = _client().chat.completions.create(
            model=model_name(),
            messages=messages,
            temperature=0,
            max_tokens=max_tokens,
            response_format={
                "type": "json_schema",
                "json_schema": {"name": name, "strict": True, "schema": schema},
            },
        )
        content = response.choices[0].message.content or ""
        tokens = response.usage.total_tokens if response.usage else 0
    except Exception as error:  # noqa: BLE001 - mapped to a kind the caller handles
        raise _translate(error) from error
    try:
        data = json.loads(content)
    except ValueError as error:
        raise LLMError(MALFORMED, "the model did not return JSON") from error
    if not isinstance(data, dict):
        raise LLMError(MALFORMED, "the model did not return a JSON object")
    return data, tokens
