"""What the configured LLM server supports, measured by a few tiny calls (`flask llm check` and
the admin's AI server page): models listed, streaming, structured-output dialects, latency,
usage reporting. The last report is kept in memory and in a file (LLM_CHECK_FILE, by default
instance/llm_check.json) so the admin page shows what the CLI found, and GET never measures."""

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask import current_app

from trainer.core.clock import utcnow
from trainer.roleplay import llm
from trainer.roleplay.judge import judge_mode

PROBE_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string", "maxLength": 20}},
    "required": ["answer"],
    "additionalProperties": False,
}
PROBE_MESSAGES = [
    {"role": "system", "content": "You are a connectivity check. Answer in JSON."},
    {"role": "user", "content": 'Put the word "ok" in the field "answer".'},
]
OK, REFUSED = "ok", "refused"

_last: dict[str, dict] = {}
_lock = threading.Lock()


@dataclass
class Report:
    """The figures an admin needs to know whether the LLM path works (JSON-serialisable)."""

    configured: bool
    base_url: str
    model: str
    judge: str
    checked_at: str
    reachable: bool = False
    models: list[str] | None = None
    streaming: bool | None = None
    first_token_ms: int | None = None
    latency_ms: int | None = None
    usage_reported: bool | None = None
    dialects: dict[str, str] = field(default_factory=dict)
    dialect: str | None = None
    problems: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Reachable, streams, and at least one structured-output dialect works."""
        return self.configured and self.reachable and bool(self.streaming) and bool(self.dialect)

    def as_dict(self) -> dict:
        """The report as JSON data, with `ok`."""
        return {**asdict(self), "ok": self.ok}


def _problem(report: Report, step: str, error: llm.LLMError) -> None:
    report.problems.append({"step": step, "kind": error.kind, "detail": error.detail[:300]})


def _probe_stream(report: Report) -> None:
    usage = llm.Usage()
    started = time.monotonic()
    first = None
    pieces = []
    try:
        for piece in llm.stream_chat(
            [{"role": "user", "content": "Reply with the single word OK."}],
            max_tokens=8,
            temperature=0,
            usage=usage,
        ):
            first = first if first is not None else time.monotonic()
            pieces.append(piece)
    except llm.LLMError as error:
        report.streaming = False
        _problem(report, "streaming", error)
        return
    report.reachable = True
    report.streaming = bool(pieces)
    report.latency_ms = round((time.monotonic() - started) * 1000)
    report.first_token_ms = round((first - started) * 1000) if first is not None else None
    report.usage_reported = usage.reported


def _probe_dialects(report: Report) -> None:
    for dialect in llm.DIALECTS:
        try:
            _, usage = llm.structured_call(
                dialect, PROBE_MESSAGES, schema=PROBE_SCHEMA, name="check", max_tokens=60
            )
        except llm.DialectRefused:
            report.dialects[dialect] = REFUSED
            continue
        except llm.LLMError as error:
            report.dialects[dialect] = error.kind
            _problem(report, f"structured output ({dialect})", error)
            if error.kind in (llm.CONNECTION, llm.TIMEOUT):
                return
            continue
        report.reachable = True
        report.dialects[dialect] = OK
        report.usage_reported = bool(report.usage_reported) or usage.reported
        report.dialect = report.dialect or dialect


def run_check() -> Report:
    """Measure the configured server now (a few tiny calls; no database) and keep the report."""
    report = Report(
        configured=llm.enabled(),
        base_url=llm.base_url() or "https://api.openai.com/v1",
        model=llm.model_name(),
        judge=judge_mode(),
        checked_at=utcnow().isoformat(timespec="seconds"),
    )
    if report.configured:
        unreachable = False
        try:
            report.models = llm.list_models()
            report.reachable = True
        except llm.LLMError as error:
            _problem(report, "models", error)  # some servers list no models: go on if they answer
            unreachable = error.kind in (llm.CONNECTION, llm.TIMEOUT)
        if not unreachable:
            _probe_stream(report)
            if report.reachable:
                _probe_dialects(report)
    _keep(report.as_dict())
    return report


def _path() -> Path:
    configured = current_app.config.get("LLM_CHECK_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / "llm_check.json"


def _keep(data: dict) -> None:
    with _lock:
        _last[str(_path())] = data
    try:
        _path().parent.mkdir(parents=True, exist_ok=True)
        _path().write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError:
        current_app.logger.warning("could not write %s", _path())


def last_report() -> dict | None:
    """The last check's figures (this process, else the instance file), or None."""
    with _lock:
        data = _last.get(str(_path()))
    if data is not None:
        return data
    try:
        return json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
