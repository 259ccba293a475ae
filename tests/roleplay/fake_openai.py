"""A fake OpenAI-compatible server on 127.0.0.1 for the tests and the bench.

It implements GET /v1/models and POST /v1/chat/completions, streamed (SSE chunks, optional usage
chunk) and not, including structured outputs in the dialect it is told to speak (`dialect`):
"json_schema" (OpenAI, vLLM, llama-server), "json_object" (llama-cpp-python: `json_schema` is
refused with a 500, `{"type": "json_object", "schema": …}` is taken) or "prompt" (both refused
with a 400; the schema is read from the prompt). Faults can be injected for the next request(s):
"429", "500", "400", "timeout" (answers after `slow_seconds`), "malformed" (a broken SSE chunk or
non-JSON content), "length" (the answer cut in half, `finish_reason: length`), "drop" (connection
cut mid-stream) and "stall" (the stream stops after its first chunk until `release()`).
`judge_delay` holds every non-streamed (judge) answer that many seconds; `hold_judge()` holds
them until `release_judge()`.

The real openai SDK is pointed at it (`base_url=server.base_url`), so the whole HTTP path is
exercised; the SDK sends through httpx2, which respx cannot intercept.
"""

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.roleplay.fake_judge import default_judge, first_agent_text, request_schema

__all__ = ["FakeOpenAI", "default_judge", "first_agent_text", "request_schema"]

FAULTS = ("429", "500", "400", "timeout", "malformed", "length", "drop", "stall")
DIALECTS = ("json_schema", "json_object", "prompt")


class _Dropped(Exception):
    """Raised inside a streamed body to cut the connection."""


class FakeOpenAI:
    """A threaded local server imitating the Chat Completions API."""

    def __init__(
        self,
        *,
        reply: str | Callable[[dict], str] = "好的，我明白了。你们打算怎么处理？",
        judge: Callable[[dict], dict | str] = default_judge,
        first_token_delay: float = 0.0,
        chunk_delay: float = 0.0,
        chunk_chars: int = 4,
        slow_seconds: float = 3.0,
        dialect: str = "json_schema",
    ) -> None:
        if dialect not in DIALECTS:
            raise ValueError(dialect)
        self.dialect = dialect
        self.judge_delay = 0.0
        self.report_usage = True
        self.reply = reply
        self.judge = judge
        self.first_token_delay = first_token_delay
        self.chunk_delay = chunk_delay
        self.chunk_chars = chunk_chars
        self.slow_seconds = slow_seconds
        self.faults: deque[str] = deque()
        self.requests: list[dict] = []
        self.timings: dict[str, dict[str, float]] = {}
        self._release = threading.Event()
        self._judge_open = threading.Event()
        self._judge_open.set()
        self._lock = threading.Lock()
        self._server = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ control

    def start(self) -> "FakeOpenAI":
        """Serve on a free port in a daemon thread."""
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        # Dropped connections are deliberate here; keep their tracebacks out of the test output.
        self._server.log = lambda *args, **kwargs: None
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release any stalled stream or held judge answer and shut the server down."""
        self._release.set()
        self._judge_open.set()
        if self._server is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The URL to give the SDK (OPENAI_BASE_URL)."""
        return f"http://127.0.0.1:{self._server.server_port}/v1"

    def fail_next(self, fault: str, times: int = 1) -> None:
        """Inject a fault into the next `times` requests."""
        if fault not in FAULTS:
            raise ValueError(fault)
        with self._lock:
            self.faults.extend([fault] * times)

    def release(self) -> None:
        """Let stalled streams finish."""
        self._release.set()

    def hold_judge(self) -> None:
        """Hold every judge answer until `release_judge()` (a judge as slow as the test needs)."""
        self._judge_open.clear()

    def release_judge(self) -> None:
        """Let held judge answers go."""
        self._judge_open.set()

    def chat_requests(self) -> list[dict]:
        """Requests for customer replies (streamed)."""
        return [r for r in self.requests if r.get("stream")]

    def judge_requests(self) -> list[dict]:
        """Structured-output (judge) requests: not streamed, whatever the dialect."""
        return [r for r in self.requests if not r.get("stream")]

    def _refusal(self, body: dict) -> Response | None:
        """The server's answer to a response_format it does not speak."""
        kind = (body.get("response_format") or {}).get("type")
        if kind == "json_schema" and self.dialect != "json_schema":
            if self.dialect == "json_object":  # llama-cpp-python: a 500 from request validation
                message = "Input should be 'text' or 'json_object' (response_format.type)"
                return _error(500, message)
            return _error(400, "response_format 'json_schema' is not supported", "invalid_request")
        if kind == "json_object" and self.dialect == "prompt":
            return _error(400, "response_format 'json_object' is not supported", "invalid_request")
        return None

    # ------------------------------------------------------------ HTTP

    def _app(self, environ, start_response):
        return self._respond(Request(environ))(environ, start_response)

    def _respond(self, request: Request) -> Response:
        if request.method == "GET" and request.path.endswith("/models"):
            models = {"object": "list", "data": [{"id": "fake-model", "object": "model"}]}
            return Response(json.dumps(models), mimetype="application/json")
        if request.method != "POST" or not request.path.endswith("/chat/completions"):
            return Response("not found", status=404)
        try:
            body = json.loads(request.get_data(as_text=True))
        except ValueError:
            return _error(400, "invalid JSON body")
        received = time.time()
        with self._lock:
            self.requests.append(body)
            fault = self.faults.popleft() if self.faults else None
        marker = _last_user_text(body)
        self.timings[marker] = {"received": received}
        if fault == "429":
            response = _error(429, "Rate limit reached", "rate_limit_error")
            response.headers["retry-after-ms"] = "5"
            return response
        if fault in ("500", "400"):
            return _error(
                int(fault), "The server had an error" if fault == "500" else "Bad request"
            )
        refusal = self._refusal(body)
        if refusal is not None:
            return refusal
        if fault == "timeout":
            time.sleep(self.slow_seconds)
        if body.get("stream"):
            stream = self._stream(body, fault, marker)
            return Response(stream, mimetype="text/event-stream", direct_passthrough=True)
        return self._complete(body, fault, marker)

    def _text_for(self, body: dict) -> str:
        if not body.get("stream"):
            result = self.judge(body)
            return result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)
        return self.reply(body) if callable(self.reply) else self.reply

    def _complete(self, body: dict, fault: str | None, marker: str) -> Response:
        if self.first_token_delay:
            time.sleep(self.first_token_delay)
        if self.judge_delay:
            time.sleep(self.judge_delay)
        self._judge_open.wait()
        text = "{not json" if fault == "malformed" else self._text_for(body)
        finish = "stop"
        if fault == "length":
            text, finish = text[: len(text) // 2], "length"
        self.timings[marker].update(first_chunk=time.time(), last_chunk=time.time())
        payload = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": None},
                    "finish_reason": finish,
                    "logprobs": None,
                }
            ],
            "usage": _usage(body, text) if self.report_usage else None,
        }
        return Response(json.dumps(payload, ensure_ascii=False), mimetype="application/json")

    def _stream(self, body: dict, fault: str | None, marker: str) -> Iterator[bytes]:
        text = self._text_for(body)
        if self.first_token_delay:
            time.sleep(self.first_token_delay)
        yield _sse(_chunk(body, {"role": "assistant", "content": ""}))
        pieces = [text[i : i + self.chunk_chars] for i in range(0, len(text), self.chunk_chars)]
        for index, piece in enumerate(pieces):
            if index and self.chunk_delay:
                time.sleep(self.chunk_delay)
            if index == 0:
                self.timings[marker]["first_chunk"] = time.time()
            yield _sse(_chunk(body, {"content": piece}))
            if index == 0 and fault == "stall":
                self._release.wait(timeout=60)
            if index == 1 and fault == "malformed":
                yield b"data: {this is not json\n\n"
                return
            if index == 1 and fault == "drop":
                raise _Dropped("connection cut by the fake server")
        self.timings[marker]["last_chunk"] = time.time()
        yield _sse(_chunk(body, {}, finish="stop"))
        if self.report_usage and (body.get("stream_options") or {}).get("include_usage"):
            usage_chunk = _chunk(body, None)
            usage_chunk["usage"] = _usage(body, text)
            yield _sse(usage_chunk)
        yield b"data: [DONE]\n\n"


def _last_user_text(body: dict) -> str:
    users = [m.get("content") or "" for m in body.get("messages", []) if m.get("role") == "user"]
    return users[-1] if users else ""


def _usage(body: dict, text: str) -> dict:
    prompt = sum(len(m.get("content") or "") for m in body.get("messages", []))
    return {
        "prompt_tokens": prompt,
        "completion_tokens": len(text),
        "total_tokens": prompt + len(text),
    }


def _chunk(body: dict, delta: dict | None, finish: str | None = None) -> dict:
    choices = (
        []
        if delta is None
        else [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]
    )
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": choices,
    }


def _sse(payload: dict) -> bytes:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()


def _error(status: int, message: str, kind: str = "server_error") -> Response:
    body = {"error": {"message": message, "type": kind, "param": None, "code": None}}
    return Response(json.dumps(body), status=status, mimetype="application/json")
