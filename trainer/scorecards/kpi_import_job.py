"""Large KPI CSV uploads: checked whole in the request, written by the job "scorecards.import_kpi"
in batches that commit, with the progress page of core/importruns.py.

Every row is checked before anything is written (`records.check_batch`: unknown agents, a
manager's other teams, duplicates); a file with any problem writes nothing. A clean file of more
than `SYNC_ROWS` rows is written `BATCH_ROWS` rows per transaction, each batch together with the
run's count (a killed worker resumes after the last batch; rows are upserts by agent and day, so
even a batch written twice would store the same figures). The import's one audit entry
("kpi.import", with the whole file's totals) is written with the last batch.
"""

from typing import Any

from trainer.accounts.models import User
from trainer.core import importruns
from trainer.core.i18n import message_locale
from trainer.extensions import db
from trainer.scorecards import records
from trainer.scorecards.kpi_files import ImportRejected, decode_upload, read_csv
from trainer.scorecards.record_checks import check_batch

KIND = "scorecards.kpi"
JOB = "scorecards.import_kpi"
SYNC_ROWS = 2000  # rows written inside the request; more go to the job
BATCH_ROWS = 1000


def check(data: bytes, allowed_team_id: int | None) -> tuple[str, list[dict], list[dict]]:
    """The decoded text and its clean agent and team rows; ImportRejected lists every problem."""
    text = decode_upload(data)
    agents, teams = check_batch(read_csv(text), allowed_team_id)
    return text, agents, teams


def is_large(agents: list[dict], teams: list[dict]) -> bool:
    return len(agents) + len(teams) > SYNC_ROWS


def queue(text: str, rows: int, actor: Any, allowed_team_id: int | None, label: str):
    """Store the checked upload and queue its job (the caller commits); the import run."""
    return importruns.start(
        KIND, actor, text, rows, filename=label, allowed_team_id=allowed_team_id, label=label
    )


def run(run_id: int) -> None:
    """The job: check the rows again (agents may have left meanwhile), then write from where
    the run stands, a batch per transaction, and audit the import with the last batch."""
    work = importruns.claim(run_id)
    if work is None:
        return
    actor = db.session.get(User, work.user_id) if work.user_id else None
    with message_locale(actor.locale if actor else None):
        try:
            agents, teams = check_batch(read_csv(work.payload), work.options["allowed_team_id"])
        except ImportRejected as rejected:
            problems = [{"line": p.row, "message": p.message} for p in rejected.errors[:50]]
            importruns.finish(work, problems)
            return
    rows = [("agent", r) for r in agents] + [("team", r) for r in teams]
    while work.done < len(rows):
        batch = rows[work.done : work.done + BATCH_ROWS]
        result = records.write_batch(
            [r for kind, r in batch if kind == "agent"],
            [r for kind, r in batch if kind == "team"],
            source="csv",
        )
        importruns.advance(work, len(batch), {"created": result.created, "updated": result.updated})
        if work.done >= len(rows):
            break  # the last batch commits with the audit entry and the run's end
        db.session.commit()
    records.audit_import(
        actor,
        agents,
        teams,
        created=work.report.get("created", 0),
        updated=work.report.get("updated", 0),
        source="csv",
        label=work.options.get("label", ""),
    )
    importruns.finish(work)
