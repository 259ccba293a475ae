"""Grading with the LLM judge is the job "roleplay.grade": queued when the session ends, run by
a worker (or inline in immediate mode), retried with back-off, stored exactly once; the result
page follows it through a GET status endpoint that never writes."""

import signal
import time

import pytest

from tests.conftest import reads_only
from tests.jobs.conftest import queue, run_queued, wait_for, worker  # noqa: F401 - fixtures
from tests.roleplay.conftest import say, start_chat
from trainer.core import jobs
from trainer.core.audit import AuditEvent
from trainer.core.jobmodels import DONE, FAILED, QUEUED, RUNNING, JobRun
from trainer.extensions import db
from trainer.notifications.models import Notification
from trainer.roleplay import autograde
from trainer.roleplay.models import RoleplayGrade, RoleplaySession


def _session(session_id):
    db.session.expire_all()
    return db.session.get(RoleplaySession, session_id)


def _ended(client, text="非常抱歉让您着急了，麻烦发一下照片。"):
    session_id = start_chat(client, "tiny-parcel")
    say(client, session_id, text)
    assert client.post(f"/roleplay/sessions/{session_id}/end").status_code == 302
    return session_id


def _job(session_id) -> JobRun | None:
    db.session.expire_all()
    return jobs.find(autograde.job_key(session_id))


def _status(client, session_id) -> dict:
    response = reads_only(lambda: client.get(f"/roleplay/sessions/{session_id}/grading"))
    assert response.status_code == 200
    return response.get_json()


def _page(client, session_id) -> str:
    response = reads_only(lambda: client.get(f"/roleplay/sessions/{session_id}/result"))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _stored_once(session_id, user_id):
    """One grade row, one "graded" notification and one audit entry for the session."""
    db.session.expire_all()
    grades = db.session.scalars(
        db.select(RoleplayGrade).where(RoleplayGrade.session_id == session_id)
    ).all()
    assert len(grades) == 1
    notes = db.session.scalars(
        db.select(Notification).where(
            Notification.user_id == user_id, Notification.kind == "roleplay_graded"
        )
    ).all()
    assert len(notes) == 1
    audits = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.action == "roleplay.grade", AuditEvent.subject_id == str(grades[0].id)
        )
    ).all()
    assert len(audits) == 1 and audits[0].subject_user_id == user_id
    return grades[0]


def test_ending_queues_the_job_and_the_page_follows_it(
    queue,  # noqa: F811 - fixture
    login_as,
    make_scenario,
    fake_llm,
):
    make_scenario()
    client, agent = login_as("agent")
    agent_id = agent.id
    session_id = _ended(client)
    run = _job(session_id)
    assert run is not None and run.status == QUEUED and run.args == [session_id]
    assert len(queue) == 1 and fake_llm.judge_requests() == []
    assert _session(session_id).status == "ended"
    page = _page(client, session_id)
    assert "评分中…" in page and "排队中" in page and "正在排队等待 AI 评分员…" in page
    assert f'data-status-url="/roleplay/sessions/{session_id}/grading"' in page
    assert "roleplay_result.js" in page and 'data-testid="rp-grading-stages"' in page
    status = _status(client, session_id)
    assert status["status"] == "queued" and status["waiting"] is False
    # A double click on "end" or on "grade now" queues nothing more.
    assert client.post(f"/roleplay/sessions/{session_id}/end").status_code == 302
    again = client.post(
        f"/roleplay/sessions/{session_id}/grade", headers={"Accept": "application/json"}
    )
    assert again.status_code == 202 and again.get_json()["status"] == "queued"
    assert len(queue) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(JobRun)) == 1
    # What the worker does: the grade, then the agent's skills refresh that the grade queued.
    assert run_queued(queue) == 2
    refresh = db.session.scalars(db.select(JobRun).where(JobRun.name == "skills.refresh")).one()
    assert refresh.args == [agent_id, True] and refresh.status == DONE
    grade = _stored_once(session_id, agent_id)
    assert grade.judge == "llm" and len(fake_llm.judge_requests()) == 1
    assert _job(session_id).status == DONE
    assert _status(client, session_id)["status"] == "graded"
    page = _page(client, session_id)
    assert 'data-testid="rp-total"' in page and 'data-testid="rp-grading"' not in page
    # A second delivery of the message does nothing.
    jobs.push(_job(session_id).id, jobs.REGISTRY[autograde.GRADE_JOB])
    run_queued(queue)
    _stored_once(session_id, agent_id)
    assert len(fake_llm.judge_requests()) == 1


def test_immediate_mode_grades_in_the_request_that_ends(app, login_as, make_scenario, fake_llm):
    """No worker (TRAINER_QUEUE_IMMEDIATE): the job runs in-process once the end commits."""
    assert app.config["TRAINER_QUEUE_IMMEDIATE"]
    make_scenario()
    client, agent = login_as("agent")
    agent_id = agent.id
    session_id = _ended(client)
    grade = _stored_once(session_id, agent_id)
    assert grade.judge == "llm" and _job(session_id).status == DONE
    assert _session(session_id).grading_claimed_at is None


def test_the_status_endpoint_checks_who_asks(app, login_as, make_scenario, fake_llm):
    make_scenario()
    client, _ = login_as("agent")
    session_id = start_chat(client, "tiny-parcel")
    assert _status(client, session_id)["status"] == "active"
    stranger, _ = login_as("agent")
    assert stranger.get(f"/roleplay/sessions/{session_id}/grading").status_code == 404
    trainer, _ = login_as("trainer")
    assert _status(trainer, session_id)["status"] == "active"
    assert app.test_client().get(f"/roleplay/sessions/{session_id}/grading").status_code in (
        302,
        401,
    )


def test_a_judge_that_is_down_is_retried_then_graded(
    queue,  # noqa: F811 - fixture
    login_as,
    make_scenario,
    fake_llm,
):
    make_scenario()
    client, agent = login_as("agent")
    agent_id = agent.id
    session_id = _ended(client)
    fake_llm.fail_next("500")
    task = queue.dequeue()
    assert (task.retries, task.retry_delay, task.retry_backoff) == (3, 15, 2.0)
    queue.execute(task)  # the judge answers 500: the try fails, Huey schedules the next
    run = _job(session_id)
    assert run.status == QUEUED and run.attempts == 1 and "JudgeUnavailable" in run.error
    assert _session(session_id).status == "ended" and _session(session_id).grade is None
    status = _status(client, session_id)
    assert status["status"] == "retrying" and "1" in status["message"]
    assert jobs.execute(run.id) is True  # the retry
    grade = _stored_once(session_id, agent_id)
    assert grade.judge == "llm" and _job(session_id).attempts == 2


def test_the_last_try_stores_the_offline_fallback(
    queue,  # noqa: F811 - fixture
    login_as,
    make_scenario,
    fake_llm,
):
    make_scenario()
    client, agent = login_as("agent")
    agent_id = agent.id
    session_id = _ended(client)
    fake_llm.fail_next("500", times=10)
    run_id = _job(session_id).id
    for _ in range(3):
        with pytest.raises(autograde.JudgeUnavailable):
            jobs.execute(run_id)
    assert jobs.execute(run_id) is True  # the 4th and last try keeps what it has
    grade = _stored_once(session_id, agent_id)
    assert grade.judge == "offline_fallback"
    assert {"code": "judge_unavailable", "kind": "server"} in grade.flags


def test_a_failed_job_can_be_tried_again_from_the_page(
    queue,  # noqa: F811 - fixture
    login_as,
    make_scenario,
    fake_llm,
    monkeypatch,
):
    make_scenario()
    client, agent = login_as("agent")
    agent_id = agent.id
    session_id = _ended(client)
    run_id = _job(session_id).id

    def broken(job):
        raise RuntimeError("boom")

    monkeypatch.setattr(autograde, "run", broken)
    for _ in range(4):
        with pytest.raises(RuntimeError):
            jobs.execute(run_id)
    assert _job(session_id).status == FAILED
    assert _session(session_id).status == "ended"  # the claim was given back each time
    page = _page(client, session_id)
    assert "评分失败，请重试。" in page and 'data-testid="rp-grade-now"' in page
    assert 'id="rp-grade-again" hidden' not in page
    assert _status(client, session_id)["status"] == "failed"
    monkeypatch.undo()
    run_queued(queue)  # drain what Huey scheduled
    response = client.post(
        f"/roleplay/sessions/{session_id}/grade", headers={"Accept": "application/json"}
    )
    assert response.status_code == 202 and response.get_json()["status"] == "queued"
    assert _job(session_id).attempts == 0 and len(queue) == 1
    run_queued(queue)
    assert _stored_once(session_id, agent_id).judge == "llm"


def test_a_job_never_picked_up_says_so(queue, login_as, make_scenario, fake_llm):  # noqa: F811
    make_scenario()
    client, _ = login_as("agent")
    session_id = _ended(client)
    run = _job(session_id)
    run.updated_at = run.updated_at - jobs.PICKUP_GRACE - jobs.PICKUP_GRACE
    db.session.commit()
    status = _status(client, session_id)
    assert status["status"] == "queued" and status["waiting"] is True
    assert "后台任务进程" in status["message"]


def _worker_env(worker, fake_llm, lease: int):  # noqa: F811
    worker.env.update(
        OPENAI_API_KEY="test-key",
        OPENAI_BASE_URL=fake_llm.base_url,
        TRAINER_LLM_MODEL="fake-model",
        TRAINER_LLM_TIMEOUT="120",
        TRAINER_LLM_MAX_RETRIES="0",
        TRAINER_ROLEPLAY_GRADING_LEASE=str(lease),
    )


def test_a_real_worker_grades_while_others_write(
    queue,  # noqa: F811 - fixture
    worker,  # noqa: F811 - fixture
    login_as,
    make_scenario,
    fake_llm,
):
    """The judge holds its answer to a worker process; the agent's end and other users' writes
    go through at once meanwhile, and the grade appears once the judge answers."""
    make_scenario()
    _worker_env(worker, fake_llm, lease=300)
    fake_llm.hold_judge()
    client, agent = login_as("agent")
    agent_id = agent.id
    other, _ = login_as("agent")
    other_session = start_chat(other, "tiny-parcel")
    worker.start()
    started = time.monotonic()
    session_id = _ended(client)
    assert time.monotonic() - started < 3  # ending does not wait for the judge
    wait_for(lambda: fake_llm.judge_requests(), worker=worker)
    assert _status(client, session_id)["status"] == "judging"
    status, events = say(other, other_session, "您好，请问有什么可以帮您？")
    assert status == 200 and events[-1]["type"] == "done"
    assert _status(client, session_id)["status"] == "judging"
    fake_llm.release_judge()
    wait_for(lambda: _session(session_id).status == "graded", timeout=60, worker=worker)
    assert _stored_once(session_id, agent_id).judge == "llm"
    assert _job(session_id).status == DONE


def test_worker_killed_mid_judge_call_grades_exactly_once(
    queue,  # noqa: F811 - fixture
    worker,  # noqa: F811 - fixture
    login_as,
    make_scenario,
    fake_llm,
):
    """SIGKILL the worker while the judge call hangs; a new worker stores the grade once."""
    make_scenario()
    lease = 3
    _worker_env(worker, fake_llm, lease=lease)
    fake_llm.judge_delay = 120.0  # the judge hangs
    client, agent = login_as("agent")
    agent_id = agent.id
    session_id = _ended(client)
    run_id = _job(session_id).id
    worker.start()
    wait_for(lambda: fake_llm.judge_requests(), worker=worker)
    assert _session(session_id).status == "grading"
    assert _job(session_id).status == RUNNING
    worker.kill(signal.SIGKILL)  # in the middle of the judge call
    assert _session(session_id).grade is None
    assert len(queue) == 0  # Huey had handed the message over: only the ledger knows
    fake_llm.judge_delay = 0.0
    time.sleep(lease + 0.5)  # the dead worker's lease runs out
    worker.start()  # recovers the job at start
    wait_for(lambda: _session(session_id).status == "graded", timeout=60, worker=worker)
    wait_for(lambda: _job(session_id).status == DONE, worker=worker)
    grade = _stored_once(session_id, agent_id)
    assert grade.judge == "llm" and len(fake_llm.judge_requests()) == 2
    assert db.session.get(JobRun, run_id).attempts == 2
    assert _session(session_id).grading_claimed_at is None
