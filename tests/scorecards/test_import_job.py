"""Large KPI CSV files: checked whole in the request, written by a job in batches that commit,
one audit entry for the file, a progress page; a crashed batch resumes without double counts."""

import io
from datetime import date, timedelta

from tests.jobs.conftest import queue, run_queued  # noqa: F401 - fixture
from tests.scorecards.test_import import HEADER, agents  # noqa: F401 - fixture
from trainer.core import jobs
from trainer.core.audit import AuditEvent
from trainer.core.importruns import ImportRun
from trainer.extensions import db
from trainer.scorecards import kpi_import_job, records
from trainer.scorecards.models import KpiRecord

EMAILS = ("li@example.org", "wang@example.org")


def _big_csv(days: int) -> bytes:
    first = date(2026, 11, 19) - timedelta(days=days - 1)
    rows = [
        f"{(first + timedelta(days=d)).isoformat()},{email},{10 + d % 50},,,,4.5,,,"
        for d in range(days)
        for email in EMAILS
    ]
    return (HEADER + "\n".join(rows) + "\n").encode()


def _post(client, data: bytes):
    return client.post(
        "/admin/kpi/import",
        data={"file": (io.BytesIO(data), "year.csv")},
        content_type="multipart/form-data",
    )


def _records() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(KpiRecord.id)))


def _audits() -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "kpi.import")))


def _run_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_a_large_file_is_written_by_the_job(app, login_as, agents, frozen_today):  # noqa: F811
    client, admin = login_as("admin")
    days = kpi_import_job.SYNC_ROWS // 2 + 100  # 2 agents: 2,200 rows
    run_id = _run_id(_post(client, _big_csv(days)))
    db.session.expire_all()
    run = db.session.get(ImportRun, run_id)
    assert (run.status, run.done, run.total) == ("done", 2 * days, 2 * days)
    assert run.report == {"created": 2 * days, "updated": 0}
    assert _records() == 2 * days
    [audit] = _audits()
    assert audit.actor_id == admin.id and audit.data["after"] == {"created": 2 * days, "updated": 0}
    assert audit.data["agents"] == 2 and audit.data["label"] == "year.csv"
    page = client.get(f"/imports/{run_id}").get_data(as_text=True)
    assert "KPI 导入" in page and "导入完成。" in page and f"新建记录: {2 * days}" in page


def test_a_small_file_stays_in_the_request(app, login_as, agents, frozen_today):  # noqa: F811
    client, _ = login_as("admin")
    response = _post(client, _big_csv(10))
    assert response.status_code == 200 and 'data-testid="import-result"' in response.text
    assert _records() == 20 and db.session.scalar(db.select(db.func.count(ImportRun.id))) == 0


def test_a_bad_row_in_a_large_file_writes_nothing(app, login_as, agents, frozen_today):  # noqa: F811
    client, _ = login_as("admin")
    data = _big_csv(1500) + b"2026-11-18,nobody@example.org,5,,,,,,,\n"
    response = _post(client, data)
    assert response.status_code == 200 and "nobody@example.org" in response.text
    assert _records() == 0 and db.session.scalar(db.select(db.func.count(ImportRun.id))) == 0


def test_a_crashed_batch_resumes_and_counts_once(
    app,
    login_as,
    agents,  # noqa: F811
    frozen_today,
    queue,  # noqa: F811 - fixture
    monkeypatch,
):
    client, _ = login_as("admin")
    days = 1300  # 2,600 rows: three batches
    run_id = _run_id(_post(client, _big_csv(days)))
    assert _records() == 0
    real, calls = records.write_batch, []

    def dies_in_the_second_batch(agent_rows, team_rows, *, source):
        calls.append(len(agent_rows))
        if len(calls) == 2:
            raise RuntimeError("worker died")
        return real(agent_rows, team_rows, source=source)

    monkeypatch.setattr(records, "write_batch", dies_in_the_second_batch)
    run_queued(queue)
    db.session.expire_all()
    run = db.session.get(ImportRun, run_id)
    assert run.status == "running" and run.done == kpi_import_job.BATCH_ROWS
    assert _records() == kpi_import_job.BATCH_ROWS and _audits() == []
    monkeypatch.setattr(records, "write_batch", real)
    assert jobs.execute(jobs.find(f"import:{run_id}").id) is True
    db.session.expire_all()
    run = db.session.get(ImportRun, run_id)
    assert (run.status, run.done) == ("done", 2 * days)
    assert run.report == {"created": 2 * days, "updated": 0}
    assert _records() == 2 * days
    [audit] = _audits()
    assert audit.data["after"] == {"created": 2 * days, "updated": 0}
