"""`flask llm check`, the admin's AI server page and `roleplay grade --strict`."""

import json
import socket
from datetime import datetime, timedelta, timezone

import pytest

from trainer.roleplay import llm


@pytest.fixture(autouse=True)
def _check_file(app, tmp_path):
    app.config["LLM_CHECK_FILE"] = str(tmp_path / "llm_check.json")
    llm._dialects.clear()
    yield tmp_path / "llm_check.json"
    llm._dialects.clear()


@pytest.fixture
def probe_answers(fake_llm):
    fake_llm.judge = lambda body: {"answer": "ok"}
    return fake_llm


def _check(runner, *args):
    return runner.invoke(args=["llm", "check", *args])


def test_unconfigured_exits_2_with_a_clear_message(app, runner):
    app.config["OPENAI_API_KEY"] = ""
    result = _check(runner)
    assert result.exit_code == 2
    assert "No LLM server configured" in result.stderr and "OPENAI_API_KEY" in result.stderr


def test_unreachable_server_exits_1(app, runner):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nobody listens there
    app.config.update(
        OPENAI_API_KEY="k", OPENAI_BASE_URL=f"http://127.0.0.1:{port}/v1", ROLEPLAY_LLM_TIMEOUT=1.0
    )
    app.config["ROLEPLAY_LLM_MAX_RETRIES"] = 0
    result = _check(runner, "--json")
    assert result.exit_code == 1 and "cannot be reached" in result.stderr
    report = json.loads(result.stdout)
    assert report["reachable"] is False and report["ok"] is False
    assert report["problems"][0]["step"] == "models"
    assert report["problems"][0]["kind"] == "connection"


@pytest.mark.parametrize("dialect", ["json_schema", "json_object", "prompt"])
def test_reports_the_dialect_the_server_speaks(app, runner, probe_answers, dialect):
    probe_answers.dialect = dialect
    result = _check(runner, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["dialect"] == dialect
    assert report["models"] == ["fake-model"] and report["streaming"] is True
    assert report["usage_reported"] is True and report["latency_ms"] >= 0
    refused = {
        "json_schema": [],
        "json_object": ["json_schema"],
        "prompt": ["json_schema", "json_object"],
    }
    assert [d for d, r in report["dialects"].items() if r == "refused"] == refused[dialect]
    text = _check(runner)
    assert text.exit_code == 0
    assert f"Dialect used:      {dialect}" in text.stdout and "Result:            OK" in text.stdout


def test_missing_usage_and_unusable_answers_are_reported(app, runner, fake_llm):
    fake_llm.report_usage = False
    fake_llm.judge = lambda body: "I cannot do JSON, sorry."
    result = _check(runner, "--json")
    assert result.exit_code == 1 and "cannot be used" in result.stderr
    report = json.loads(result.stdout)
    assert report["usage_reported"] is False and report["streaming"] is True
    assert report["dialect"] is None
    assert set(report["dialects"].values()) == {"malformed"}


def test_admin_page_shows_the_check_and_get_never_measures(
    app, login_as, probe_answers, _check_file
):
    probe_answers.dialect = "json_object"
    client, _ = login_as("admin")
    page = client.get("/admin/ai-server/").get_data(as_text=True)
    assert "尚未检查过" in page
    assert probe_answers.requests == [] and not _check_file.exists()
    response = client.post("/admin/ai-server/check")
    assert response.status_code == 302
    page = client.get("/admin/ai-server/").get_data(as_text=True)
    assert 'data-testid="llm-ok"' in page
    assert "<code>json_schema</code> refused" in page and "<code>json_object</code> ok" in page
    assert json.loads(_check_file.read_text())["dialect"] == "json_object"


def test_admin_page_warns_when_the_judge_would_fall_back(app, login_as, fake_llm, runner):
    fake_llm.judge = lambda body: "not json"
    _check(runner)  # the CLI's check is what the page shows
    client, _ = login_as("admin")
    page = client.get("/admin/ai-server/").get_data(as_text=True)
    assert 'data-testid="llm-not-ok"' in page and 'data-testid="llm-problems"' in page


@pytest.mark.parametrize("role", ["agent", "trainer", "manager"])
def test_only_admins_see_the_ai_server(app, login_as, role):
    client, _ = login_as(role)
    assert client.get("/admin/ai-server/").status_code == 403
    assert client.post("/admin/ai-server/check").status_code == 403


def _transcript_file(tmp_path):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    turns = [("customer", "杯子碎了！怎么办？"), ("agent", "非常抱歉，理解您着急！")]
    data = [
        {"speaker": s, "text": t, "at": (start + timedelta(seconds=10 * n)).isoformat()}
        for n, (s, t) in enumerate(turns)
    ]
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("strict", [False, True])
def test_grade_warns_on_fallback_and_strict_fails(
    app, runner, make_scenario, fake_llm, tmp_path, strict
):
    make_scenario()
    fake_llm.fail_next("length")
    args = ["roleplay", "grade", "--scenario", "tiny-parcel", "--judge", "llm"]
    args += ["--transcript", str(_transcript_file(tmp_path))]
    result = runner.invoke(args=args + (["--strict"] if strict else []))
    assert result.exit_code == (1 if strict else 0)
    assert json.loads(result.stdout)["judge"] == "offline_fallback"
    assert "warning: the LLM judge failed (truncated)" in result.stderr


def test_grade_strict_passes_when_the_llm_judged(app, runner, make_scenario, fake_llm, tmp_path):
    make_scenario()
    args = ["roleplay", "grade", "--scenario", "tiny-parcel", "--judge", "llm", "--strict"]
    result = runner.invoke(args=[*args, "--transcript", str(_transcript_file(tmp_path))])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["judge"] == "llm" and result.stderr == ""
