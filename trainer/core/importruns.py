"""Large imports run as jobs, in batches that commit, with progress a page can follow.

An importer checks the whole input in the request (limits in count and size first, then
parsing and validation of every record); nothing is written when anything is wrong. A small
input is then written at once. A large one is stored here (`start()`) with its uploader, and a
job writes it in batches of `BATCH` records: each batch commits together with the run's `done`
count, so a worker killed mid-import resumes after the last committed batch and writes no record
twice. The import is therefore validated all-or-nothing but written batch by batch: while it
runs, the records of the committed batches are already visible; if a record fails at write time
(the data changed since the check), the run stops as `failed` with the batches before it kept
and listed in its report.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, update
from sqlalchemy.orm import Mapped, deferred, mapped_column

from trainer.core import jobs
from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.core.i18n import _l
from trainer.extensions import db

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
# Records written per transaction: short enough that other writers wait a moment at most.
BATCH = 25


class ImportRun(db.Model):
    """One large upload written in the background: the input, who sent it, and how far it got."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200), default="")
    payload: Mapped[str] = deferred(mapped_column(Text, nullable=False))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def percent(self) -> int:
        """How much is written, 0-100."""
        return 100 if not self.total else min(100, self.done * 100 // self.total)

    @property
    def finished(self) -> bool:
        return self.status in (DONE, FAILED)


@dataclass(frozen=True)
class ImportKind:
    """What the progress page says about an import kind and where it leads back to."""

    label: Any
    back_endpoint: str
    job: str


KINDS: dict[str, ImportKind] = {}
# Report keys and their labels on the progress page.
REPORT_LABELS = {
    "created": _l("Records created"),
    "updated": _l("Records updated"),
    "unchanged": _l("Records unchanged"),
}


def register_kind(kind: str, label: Any, back_endpoint: str, job: str) -> None:
    """A feature declares an import kind (its label, the page to go back to, its job)."""
    KINDS[kind] = ImportKind(label, back_endpoint, job)


def start(
    kind: str, user: Any, payload: str, total: int, *, filename: str = "", **options
) -> ImportRun:
    """Store a checked input and queue its job (sent when the caller commits)."""
    run = ImportRun(
        kind=kind,
        user_id=getattr(user, "id", None),
        filename=(filename or "")[:200],
        payload=payload,
        options=options,
        total=total,
    )
    db.session.add(run)
    db.session.flush()
    jobs.enqueue(KINDS[kind].job, run.id, key=f"import:{run.id}")
    return run


def claim(run_id: int) -> ImportRun | None:
    """The run to work on (queued, or running after a killed worker), marked running; commits.
    None when it is finished or gone."""
    taken = db.session.execute(
        update(ImportRun)
        .where(ImportRun.id == run_id, ImportRun.status.in_((QUEUED, RUNNING)))
        .values(status=RUNNING)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if taken.rowcount != 1:
        return None
    return db.session.get(ImportRun, run_id)


def advance(run: ImportRun, count: int, report: dict[str, int]) -> None:
    """Count a written batch (in the batch's transaction: the caller commits both at once)."""
    merged = dict(run.report or {})
    for key, value in report.items():
        merged[key] = merged.get(key, 0) + value
    run.report, run.done = merged, run.done + count


def finish(run: ImportRun, problems: list[dict] | None = None) -> None:
    """Close the run: done, or failed with the problems met while writing (caller commits).
    The input is dropped: a finished run is never written again (a new upload is a new run)."""
    run.status = FAILED if problems else DONE
    run.payload = ""
    run.problems = problems or []
    run.finished_at = utcnow()


def visible_run(run_id: int, user: Any) -> ImportRun | None:
    """The run if `user` sent it or is an admin."""
    run = db.session.get(ImportRun, run_id)
    if run is None or (run.user_id != user.id and user.role != "admin"):
        return None
    return run
