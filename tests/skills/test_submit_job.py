"""A quiz submit writes only its grading: the agent's skills refresh is a job queued with it,
keyed per agent, run after the submit's commit (a worker, or inline in tests)."""

import pytest

from trainer.core import jobs
from trainer.core.jobmodels import DONE, QUEUED, JobRun
from trainer.extensions import db
from trainer.skills import remediation, snapshots
from trainer.skills.models import SkillRemediation

# The submit request on SQLite: the login session (1), the attempt (1), its answer sheet with the
# questions' categories (1), whether the attempt measures a skill (map version, map: 2), the
# grading's writes and check (4) and the queued job (2): 11. With the refresh inside it, the same
# request ran 30 statements (snapshot, evidence, remediations, notices).
SUBMIT_BOUND = 10


@pytest.fixture
def held(monkeypatch):
    """Jobs pushed after a commit are held here instead of running inline (a worker's queue)."""
    pushed: list[int] = []
    monkeypatch.setattr(jobs, "push", lambda job_id, spec: pushed.append(job_id))
    return pushed


def _start(client, quiz) -> int:
    response = client.post(f"/quizzes/{quiz.slug}/start")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def _refresh_runs() -> list[JobRun]:
    return list(db.session.scalars(db.select(JobRun).where(JobRun.name == remediation.JOB)))


def test_quiz_submit_queues_the_skills_refresh_instead_of_running_it(
    returns_quiz, login_as, count_queries, held
):
    client, agent = login_as("agent")
    agent_id = agent.id
    client.get("/")  # warm-up: the session's first touch is not what we measure
    attempt_id = _start(client, returns_quiz)
    with count_queries() as submit:
        response = client.post(f"/quizzes/attempts/{attempt_id}/submit")
    assert response.status_code == 302
    assert submit.count <= SUBMIT_BOUND, "\n".join(submit.statements)
    # Nothing of the skills feature was written by the submit: only the job, queued.
    assert snapshots.read(agent_id) is None
    assert db.session.scalar(db.select(db.func.count()).select_from(SkillRemediation)) == 0
    (run,) = _refresh_runs()
    assert (run.status, run.args, held) == (QUEUED, [agent_id, True], [run.id])

    assert jobs.execute(run.id)  # what the worker does
    db.session.expire_all()
    assert db.session.get(JobRun, run.id).status == DONE
    evidence, _names = snapshots.read(agent_id)
    assert [(i["skill"], i["score"]) for i in evidence.items if i["source"] == "quiz"] == [
        ("returns_policy", 0.0)
    ]
    row = db.session.scalar(db.select(SkillRemediation))
    assert (row.user_id, row.skill, row.reason["kind"]) == (agent_id, "returns_policy", "quiz")


def test_a_burst_for_one_agent_coalesces_until_a_worker_claims_it(returns_quiz, login_as, held):
    client, agent = login_as("agent")
    for _ in range(2):
        assert client.post(f"/quizzes/attempts/{_start(client, returns_quiz)}/submit").status_code
    (run,) = _refresh_runs()  # the second submit found the first refresh still queued
    assert held == [run.id]
    assert jobs.execute(run.id)
    db.session.expire_all()
    # Claimed, the job gave its key up: the next submit queues a fresh refresh.
    client.post(f"/quizzes/attempts/{_start(client, returns_quiz)}/submit")
    runs = _refresh_runs()
    assert [r.status for r in runs] == [DONE, QUEUED] and held == [r.id for r in runs]
    assert jobs.execute(runs[1].id)
    db.session.expire_all()
    # Idempotent: the weakness already has its remediation, the second run opens none.
    assert db.session.scalar(db.select(db.func.count()).select_from(SkillRemediation)) == 1


def test_the_submit_reads_the_skills_map_before_its_first_write(
    returns_quiz, login_as, count_queries, held
):
    client, _agent = login_as("agent")
    client.get("/")
    attempt_id = _start(client, returns_quiz)
    with count_queries() as submit:
        assert client.post(f"/quizzes/attempts/{attempt_id}/submit").status_code == 302
    verbs = [s.split(None, 1)[0].upper() for s in submit.statements]
    first_write = next(i for i, verb in enumerate(verbs) if verb in ("INSERT", "UPDATE"))
    before, after = submit.statements[:first_write], submit.statements[first_write:]
    assert any("skill_map_versions" in s for s in before)
    # Holding SQLite's write lock: the grading's writes and its check, the audit and the job.
    assert [" ".join(s.replace('"', "").split()[:3]) for s in after] == [
        "UPDATE quiz_attempts SET",
        "SELECT quiz_attempt_answers.id, quiz_attempt_answers.response",
        "UPDATE quiz_attempt_answers SET",
        "INSERT INTO audit_events",
        "INSERT INTO job_runs",
    ]
    (run,) = _refresh_runs()
    assert held == [run.id]


def test_a_submit_that_finds_the_attempt_finished_queues_nothing(returns_quiz, make_user, held):
    from trainer.quizzes import attempts as service

    agent = make_user("agent")
    attempt = service.start_attempt(returns_quiz, agent)
    db.session.commit()
    assert service.submit_attempt(attempt) is True
    db.session.commit()
    (run,) = _refresh_runs()
    assert jobs.execute(run.id)  # claimed: the key is free again
    db.session.expire_all()
    assert service.submit_attempt(db.session.get(type(attempt), attempt.id)) is False
    db.session.commit()
    assert [r.id for r in _refresh_runs()] == [run.id]
