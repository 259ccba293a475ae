"""Large GIFT uploads: checked whole in the request, then written by a job in batches that
commit, with a progress page that refreshes itself; other users keep working meanwhile."""

import io
import threading
import time

import httpx
import pytest

from tests.conftest import PASSWORD, reads_only
from tests.jobs.conftest import queue, run_queued  # noqa: F401 - fixture
from trainer.core import importruns, jobs
from trainer.core.importruns import ImportRun
from trainer.extensions import db
from trainer.quizzes import bankimport
from trainer.quizzes.gift.parser import MAX_QUESTIONS
from trainer.quizzes.models import Question, QuestionVersion


def _gift(count: int, prefix: str = "q") -> bytes:
    return "\n\n".join(f"::{prefix}{i}:: 第 {i} 题对吗？ {{T}}" for i in range(count)).encode()


def _post(client, data: bytes, name: str = "big.gift"):
    return client.post(
        "/quizzes/bank/import",
        data={"file": (io.BytesIO(data), name), "category": "导入/大批"},
        content_type="multipart/form-data",
    )


def _questions() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(Question.id)))


def _run(run_id) -> ImportRun:
    db.session.expire_all()
    return db.session.get(ImportRun, run_id)


def _progress_page(client, run_id) -> str:
    response = reads_only(lambda: client.get(f"/imports/{run_id}"))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_small_upload_is_written_in_the_request(trainer_client):
    response = _post(trainer_client, _gift(bankimport.SYNC_LIMIT))
    assert response.status_code == 200 and 'data-testid="import-report"' in response.text
    assert _questions() == bankimport.SYNC_LIMIT
    assert db.session.scalar(db.select(db.func.count(ImportRun.id))) == 0


def test_a_large_upload_runs_as_a_job_with_a_progress_page(login_as):
    """Inline queue (the tests' default): the job runs once the request's commit is done."""
    client, trainer = login_as("trainer")
    count = 3 * importruns.BATCH + 7
    response = _post(client, _gift(count))
    assert response.status_code == 302
    run_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert response.headers["Location"].endswith(f"/imports/{run_id}")
    run = _run(run_id)
    assert (run.status, run.done, run.total) == ("done", count, count)
    assert run.report == {"created": count} and run.user_id == trainer.id
    assert run.payload == ""  # the input is not kept once written
    assert _questions() == count
    categories = set(db.session.scalars(db.select(Question.category)))
    assert categories == {"导入/大批"}
    page = _progress_page(client, run_id)
    assert "导入完成。" in page and f"已写入 {count} / {count}（100%）" in page
    assert f"新建记录: {count}" in page
    assert 'http-equiv="refresh"' not in page  # finished: no more refreshing
    other, _ = login_as("trainer")
    assert other.get(f"/imports/{run_id}").status_code == 404
    admin, _ = login_as("admin")
    assert admin.get(f"/imports/{run_id}").status_code == 200


def test_a_queued_import_refreshes_and_resumes_after_a_crash(
    login_as,
    queue,  # noqa: F811 - fixture
    monkeypatch,
):
    """A worker dying in the third batch: the two committed batches stay, the rerun writes the
    rest, no question twice (these have no ID number, so a restart from 0 would duplicate)."""
    client, _ = login_as("trainer")
    count = 3 * importruns.BATCH + 5
    response = _post(client, _gift(count))
    run_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert _questions() == 0 and len(queue) == 1
    page = _progress_page(client, run_id)
    assert "等待开始…" in page and 'http-equiv="refresh"' in page
    assert "本页面会自动更新" in page
    real, calls = bankimport.import_spec, []

    def dies_in_third_batch(spec, **kwargs):
        calls.append(spec.title)
        if len(calls) == 2 * importruns.BATCH + 3:
            raise RuntimeError("worker died")
        return real(spec, **kwargs)

    monkeypatch.setattr(bankimport, "import_spec", dies_in_third_batch)
    run_queued(queue)  # the first try fails in batch 3
    run = _run(run_id)
    assert run.status == "running" and run.done == 2 * importruns.BATCH
    assert _questions() == 2 * importruns.BATCH
    page = _progress_page(client, run_id)
    assert "导入中…" in page and f"已写入 {2 * importruns.BATCH} / {count}" in page
    monkeypatch.setattr(bankimport, "import_spec", real)
    ledger = jobs.find(f"import:{run_id}")
    assert jobs.execute(ledger.id) is True  # the retry
    run = _run(run_id)
    assert (run.status, run.done) == ("done", count) and run.report == {"created": count}
    assert _questions() == count
    titles = list(db.session.scalars(db.select(QuestionVersion.title)))
    assert len(titles) == len(set(titles)) == count


def test_limits_are_checked_before_parsing(trainer_client, monkeypatch):
    monkeypatch.setattr(bankimport, "MAX_GIFT_BYTES", 1000)
    response = _post(trainer_client, _gift(60))
    assert response.status_code == 200
    assert 'data-testid="import-problems"' in response.text and "MB" in response.text
    assert _questions() == 0
    assert db.session.scalar(db.select(db.func.count(ImportRun.id))) == 0


def test_an_invalid_large_upload_writes_nothing_and_queues_nothing(trainer_client):
    data = _gift(200) + b"\n\n::broken:: {=a ~b"
    response = _post(trainer_client, data)
    assert response.status_code == 200 and 'data-testid="import-problems"' in response.text
    assert _questions() == 0
    assert db.session.scalar(db.select(db.func.count(ImportRun.id))) == 0


def _serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread, f"http://127.0.0.1:{server.server_port}"


def test_a_maximal_import_does_not_lock_out_other_users(app, make_user, make_quiz):
    """500 questions posted while other agents sign in and autosave quiz answers in parallel:
    every one of their requests succeeds (no "database is locked" 500)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        pytest.skip("the lock this guards against is SQLite's (one writer per database file)")
    # The agents sign in again and again from one address: throttling is not under test here.
    app.config.update(
        LOGIN_RATE_LIMIT_IP="100000 per minute", LOGIN_RATE_LIMIT_ACCOUNT="100000 per minute"
    )
    slug = make_quiz(count=2).slug
    trainer_email = make_user("trainer").email
    agents = [make_user("agent").email for _ in range(3)]
    server, thread, base_url = _serve(app)
    failures: list[str] = []
    done = threading.Event()
    served = [0]

    def agent_works(email: str) -> None:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            attempt_id = None
            while not done.is_set():
                client.cookies.clear()
                login = client.post("/login", data={"email": email, "password": PASSWORD})
                if login.status_code != 302:
                    failures.append(f"login {login.status_code}")
                    continue
                if attempt_id is None:
                    started = client.post(f"/quizzes/{slug}/start")
                    if started.status_code != 302:
                        failures.append(f"start {started.status_code}")
                        continue
                    attempt_id = int(started.headers["location"].rstrip("/").split("/")[-1])
                saved = client.post(
                    f"/quizzes/attempts/{attempt_id}/answers", json={"slot": 1, "fields": {}}
                )
                if saved.status_code != 200:
                    failures.append(f"autosave {saved.status_code}: {saved.text[:200]}")
                served[0] += 1

    workers = [threading.Thread(target=agent_works, args=(a,), daemon=True) for a in agents]
    try:
        uploader = httpx.Client(base_url=base_url, timeout=300)
        assert uploader.post("/login", data={"email": trainer_email, "password": PASSWORD})
        for worker in workers:
            worker.start()
        time.sleep(0.5)
        before = served[0]
        response = uploader.post(
            "/quizzes/bank/import",
            files={"file": ("max.gift", _gift(MAX_QUESTIONS), "text/plain")},
            data={"category": ""},
        )
        during = served[0] - before
        done.set()
        for worker in workers:
            worker.join(60)
        assert response.status_code == 302, response.text[:300]
    finally:
        done.set()
        server.shutdown()
        thread.join(timeout=5)
    assert failures == []
    assert during > 0, "the other users' requests should have run while the import was written"
    assert _questions() == MAX_QUESTIONS + 2  # the quiz's own two and the import
    run = db.session.scalars(db.select(ImportRun)).one()
    assert run.status == "done" and run.done == MAX_QUESTIONS
