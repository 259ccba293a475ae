"""Grading never holds the database: end first, judge outside any transaction, store once.

The grading job itself (queue, worker, retries, a killed worker) is in test_grading_job.py."""

import threading
import time

import httpx
import pytest

from tests.conftest import PASSWORD
from tests.courses.conftest import make_course  # noqa: F401 - fixture
from tests.jobs.conftest import queue  # noqa: F401 - fixture
from tests.quizzes.conftest import make_question, make_quiz  # noqa: F401 - fixtures
from tests.roleplay.conftest import say, start_chat
from trainer.core.clock import utcnow
from trainer.extensions import db
from trainer.roleplay import autograde
from trainer.roleplay.grading import grade_transcript
from trainer.roleplay.models import RoleplayGrade, RoleplaySession


def _session(session_id):
    db.session.expire_all()
    return db.session.get(RoleplaySession, session_id)


def _ended(client, clock, text="非常抱歉让您着急了，麻烦发一下照片。"):
    session_id = start_chat(client, "tiny-parcel")
    clock.shift(10)
    say(client, session_id, text)
    assert client.post(f"/roleplay/sessions/{session_id}/end").status_code == 302
    return session_id


def test_grade_endpoint_refuses_an_active_session_and_strangers(
    app, login_as, make_scenario, clock
):
    make_scenario()
    client, _ = login_as("agent")
    session_id = start_chat(client, "tiny-parcel")
    response = client.post(
        f"/roleplay/sessions/{session_id}/grade", headers={"Accept": "application/json"}
    )
    assert response.status_code == 409 and response.get_json()["error"]
    stranger, _ = login_as("agent")
    assert stranger.post(f"/roleplay/sessions/{session_id}/grade").status_code == 404
    trainer, _ = login_as("trainer")
    page = trainer.get(f"/roleplay/sessions/{session_id}/result").get_data(as_text=True)
    assert 'data-testid="rp-grading"' not in page and "roleplay_result.js" not in page
    assert _session(session_id).status == "active"


def test_offline_judge_grades_right_after_the_end(app, login_as, make_scenario, clock):
    make_scenario()
    client, _ = login_as("agent")
    session = _session(_ended(client, clock))
    assert session.status == "graded" and session.grade.judge == "offline"
    assert session.grading_claimed_at is None


@pytest.mark.parametrize("queue", ["sqlite"], indirect=True)
def test_two_graders_never_both_store(app, login_as, make_scenario, clock, queue):  # noqa: F811
    """The grading job waits in a real queue (nobody runs it); two graders race by hand."""
    make_scenario()
    client, _ = login_as("agent")
    app.config["ROLEPLAY_JUDGE"] = "llm"  # nothing grades at the end
    app.config["OPENAI_API_KEY"] = ""
    session_id = _ended(client, clock)
    first = autograde.claim(session_id)
    assert first is not None and autograde.claim(session_id) is None  # held
    # The first grader died; after the lease another takes over and stores.
    clock.shift(app.config["ROLEPLAY_GRADING_LEASE"] + 1)
    second = autograde.claim(session_id)
    assert second is not None
    result = grade_transcript(second.spec, second.lines, judge="offline")
    assert autograde.store(second, result) is True
    # The first grader comes back: its claim is gone, nothing is stored twice.
    assert autograde.store(first, result) is False
    grades = db.session.scalars(
        db.select(RoleplayGrade).where(RoleplayGrade.session_id == session_id)
    )
    assert len(list(grades)) == 1 and _session(session_id).status == "graded"


@pytest.mark.parametrize("queue", ["sqlite"], indirect=True)
def test_a_crashing_grader_gives_the_session_back(
    app,
    login_as,
    make_scenario,
    clock,
    monkeypatch,
    queue,  # noqa: F811 - the grading job waits there
):
    make_scenario()
    client, _ = login_as("agent")
    app.config.update(ROLEPLAY_JUDGE="llm", OPENAI_API_KEY="")
    session_id = _ended(client, clock)

    def broken(job):
        raise RuntimeError("boom")

    monkeypatch.setattr(autograde, "run", broken)
    with pytest.raises(RuntimeError):
        autograde.grade(session_id)
    assert _session(session_id).status == "ended"


def _serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread, f"http://127.0.0.1:{server.server_port}"


def _signed_in(base_url, user):
    client = httpx.Client(base_url=base_url, timeout=60)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_a_slow_judge_does_not_lock_other_users_out(
    app,
    make_user,
    make_scenario,
    make_quiz,  # noqa: F811 - the fixture imported above
    make_course,  # noqa: F811 - the fixture imported above
    fake_llm,
):
    """The judge holds its answer (as a slow one does, for as long as the test needs);
    meanwhile other agents autosave a quiz and finish a lesson, each at once."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        pytest.skip("the lock this guards against is SQLite's (one writer per database file)")
    app.config["ROLEPLAY_LLM_TIMEOUT"] = 60.0
    fake_llm.hold_judge()
    make_scenario()
    quiz = make_quiz(count=2)
    make_course("short", lessons=2)
    roleplayer, quizzer, reader = make_user("agent"), make_user("agent"), make_user("agent")
    server, thread, base_url = _serve(app)
    try:
        chat = _signed_in(base_url, roleplayer)
        start = chat.post("/roleplay/scenarios/tiny-parcel/start")
        session_id = int(start.headers["location"].rstrip("/").split("/")[-1])
        chat.post(f"/roleplay/sessions/{session_id}/turns", json={"text": "非常抱歉！"})
        # No worker (immediate mode): the grading job runs in the request that ends the
        # session, once the end is committed.
        graded: list = []  # (the end's response, when it came)
        grader = threading.Thread(
            target=lambda: graded.append(
                (chat.post(f"/roleplay/sessions/{session_id}/end"), time.monotonic())
            ),
            daemon=True,
        )
        grader.start()
        for _ in range(200):
            if fake_llm.judge_requests():
                break
            time.sleep(0.05)
        assert fake_llm.judge_requests(), "the judge was never asked"
        quiz_client, lesson_client = _signed_in(base_url, quizzer), _signed_in(base_url, reader)
        attempt = quiz_client.post(f"/quizzes/{quiz.slug}/start")
        assert attempt.status_code == 302
        attempt_id = int(attempt.headers["location"].rstrip("/").split("/")[-1])
        saved, saved_in = _timed(
            lambda: quiz_client.post(
                f"/quizzes/attempts/{attempt_id}/answers", json={"slot": 1, "fields": {}}
            )
        )
        assert lesson_client.post("/courses/short/lesson-1/reached").status_code == 200
        done, done_in = _timed(lambda: lesson_client.post("/courses/short/lesson-1/complete"))
        started, _ = _timed(lambda: lesson_client.post("/roleplay/scenarios/tiny-parcel/start"))
        assert saved.status_code == 200, saved.text[:300]
        assert done.status_code == 302 and started.status_code == 302
        assert saved_in < 3 and done_in < 3
        assert grader.is_alive(), "the writes should have happened while the judge was working"
        released = time.monotonic()
        fake_llm.release_judge()
        grader.join(40)
        assert graded and graded[0][1] >= released  # the end waited for the judge's answer
        assert graded[0][0].status_code == 302
    finally:
        server.shutdown()
        thread.join(timeout=5)
    session = _session(session_id)
    assert session.status == "graded" and session.grade.judge == "llm"
    assert session.grading_claimed_at is None and utcnow() > session.ended_at
