"""A fake OpenAI-compatible server on 127.0.0.1 for the tests and the bench.

It implements POST /v1/chat/completions, streamed (SSE chunks, optional usage chunk) and not,
including structured outputs (`response_format: json_schema`). Faults can be injected for the
next request(s): "429", "500", "timeout" (answers after `slow_seconds`), "malformed" (a broken
SSE chunk or non-JSON content), "drop" (connection cut mid-stream) and "stall" (the stream
stops after its first chunk until `release()`).

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

FAULTS = ("429", "500", "timeout", "malformed", "drop", "stall")


class _Dropped(Exception):
    """Raised inside a streamed body to cut the connection."""


def default_judge(body: dict) -> dict:
    """Full marks on every item, quoting the start of the agent's first turn verbatim."""
    schema = body["response_format"]["json_schema"]["schema"]
    items = schema["properties"]["items"]["properties"]
    quote = first_agent_text(body)[:12]
    grades = {}
    for item_id, item_schema in items.items():
        allowed = [v for v in item_schema["properties"]["score"]["enum"] if v is not None]
        grades[item_id] = {
            "score": max(allowed),
            "justification": "fake judge: full marks",
            "evidence": quote,
        }
    return {"items": grades}


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
    ) -> None:
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
        """Release any stalled stream and shut the server down."""
        self._release.set()
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

    def chat_requests(self) -> list[dict]:
        """Requests for customer replies (not judge requests)."""
        return [r for r in self.requests if "response_format" not in r]

    def judge_requests(self) -> list[dict]:
        """Structured-output (judge) requests."""
        return [r for r in self.requests if "response_format" in r]

    # ------------------------------------------------------------ HTTP

    def _app(self, environ, start_response):
        request = Request(environ)
        if request.method != "POST" or not request.path.endswith("/chat/completions"):
            return Response("not found", status=404)(environ, start_response)
        try:
            body = json.loads(request.get_data(as_text=True))
        except ValueError:
            return _error(400, "invalid JSON body")(environ, start_response)
        received = time.time()
        with self._lock:
            self.requests.append(body)
            fault = self.faults.popleft() if self.faults else None
        marker = _last_user_text(body)
        self.timings[marker] = {"received": received}
        if fault == "429":
            response = _error(429, "Rate limit reached", "rate_limit_error")
            response.headers["retry-after-ms"] = "5"
            return response(environ, start_response)
        if fault == "500":
            return _error(500, "The server had an error")(environ, start_response)
        if fault == "timeout":
            time.sleep(self.slow_seconds)
        if body.get("stream"):
            response = Response(
                self._stream(body, fault, marker),
                mimetype="text/event-stream",
                direct_passthrough=True,
            )
            return response(environ, start_response)
        return self._complete(body, fault, marker)(environ, start_response)

    def _text_for(self, body: dict) -> str:
        if "response_format" in body:
            result = self.judge(body)
            return result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)
        return self.reply(body) if callable(self.reply) else self.reply

    def _complete(self, body: dict, fault: str | None, marker: str) -> Response:
        if self.first_token_delay:
            time.sleep(self.first_token_delay)
        text = "{not json" if fault == "malformed" else self._text_for(body)
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
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": _usage(body, text),
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
        if (body.get("stream_options") or {}).get("include_usage"):
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
