"""Importing daily KPI records from helpdesk CSV files and the JSON API: validate, then upsert.

A batch lands whole or not at all: every row is checked first (row-numbered errors, unknown
agents, duplicates), and only a clean batch is written. Re-importing a day replaces it.
"""

from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from trainer.core import audit, events
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.core.problems import Problem
from trainer.extensions import db
from trainer.scorecards.kpi_files import (
    ImportRejected,
    ImportResult,
    ParsedBatch,
    chunks,
    decode_upload,
    read_csv,
    read_json,
)
from trainer.scorecards.models import KpiRecord, TeamKpiRecord
from trainer.scorecards.record_checks import check_batch

__all__ = [
    "ImportRejected",
    "ImportResult",
    "audit_import",
    "import_batch_checked",
    "import_csv",
    "import_json",
    "write_batch",
]


class _ImportBatch:
    """Audit subject for an import (there is no row of its own to point at)."""

    __tablename__ = "kpi_import"

    def __init__(self, label: str):
        self.id = label


def existing_keys(model, owner: str, rows: list[dict]) -> dict[tuple[int, date], int]:
    """Ids of the rows already stored for the batch's (owner, day) pairs."""
    owner_column = getattr(model, owner)
    first, last = min(r["day"] for r in rows), max(r["day"] for r in rows)
    existing: dict[tuple[int, date], int] = {}
    for chunk in chunks(sorted({r[owner] for r in rows}), 900):
        query = select(model.id, owner_column, model.day).where(
            owner_column.in_(chunk), model.day.between(first, last)
        )
        existing.update({(r[1], r[2]): r[0] for r in db.session.execute(query)})
    return existing


def _upsert(model, owner: str, rows: list[dict], source: str) -> tuple[int, int]:
    """Insert new (owner, day) rows and replace existing ones; returns (created, updated)."""
    if not rows:
        return 0, 0
    existing = existing_keys(model, owner, rows)
    now = utcnow()
    new, changed = [], []
    for row in rows:
        values = {**row, "source": source, "updated_at": now}
        record_id = existing.get((row[owner], row["day"]))
        if record_id is None:
            new.append(values)
        else:
            changed.append({"id": record_id, **values})
    for chunk in chunks(new, 2000):
        db.session.execute(insert(model), chunk)
    if changed:
        db.session.execute(update(model), changed)
    return len(new), len(changed)


def write_batch(agents: list[dict], teams: list[dict], *, source: str) -> ImportResult:
    """Upsert clean rows (by agent and day, team and day); the caller commits."""
    created_a, updated_a = _upsert(KpiRecord, "agent_id", agents, source)
    created_t, updated_t = _upsert(TeamKpiRecord, "team_id", teams, source)
    days = [r["day"] for r in agents] + [r["day"] for r in teams]
    db.session.flush()
    return ImportResult(
        created=created_a + created_t,
        updated=updated_a + updated_t,
        first_day=min(days) if days else None,
        last_day=max(days) if days else None,
        agents=len({r["agent_id"] for r in agents}),
        teams=len({r["team_id"] for r in teams}),
    )


def import_batch(
    parsed: ParsedBatch,
    *,
    actor: Any,
    source: str,
    allowed_team_id: int | None = None,
    label: str = "",
    **data: Any,
) -> ImportResult:
    """Check and write a parsed batch in the caller's transaction, and audit it."""
    agents, teams = check_batch(parsed, allowed_team_id)
    return import_batch_checked(agents, teams, actor=actor, source=source, label=label, **data)


def import_batch_checked(
    agents: list[dict],
    teams: list[dict],
    *,
    actor: Any,
    source: str,
    label: str = "",
    **data: Any,
) -> ImportResult:
    """Write checked rows in the caller's transaction, and audit the import."""
    try:
        result = write_batch(agents, teams, source=source)
    except IntegrityError as error:
        # Another import inserted the same agent-days between our read and our insert.
        message = _("Another import wrote the same days at this moment; send the batch again.")
        raise ImportRejected([Problem.at(0, message)], conflict=True) from error
    audit_import(
        actor,
        agents,
        teams,
        created=result.created,
        updated=result.updated,
        source=source,
        label=label,
        **data,
    )
    return result


def audit_import(
    actor: Any,
    agents: list[dict],
    teams: list[dict],
    *,
    created: int,
    updated: int,
    source: str,
    label: str = "",
    **data: Any,
) -> None:
    """The one audit entry (and `kpis_imported` signal) of an import: its whole file, also when
    written in batches."""
    days = [r["day"] for r in agents] + [r["day"] for r in teams]
    first_day, last_day = (min(days), max(days)) if days else (None, None)
    events.kpis_imported.send(agent_ids=[r["agent_id"] for r in agents])
    audit.record(
        actor,
        "kpi.import",
        _ImportBatch(f"{source}:{first_day}..{last_day}"),
        after={"created": created, "updated": updated},
        source=source,
        label=label[:200],
        first_day=str(first_day),
        last_day=str(last_day),
        agents=len({r["agent_id"] for r in agents}),
        teams=len({r["team_id"] for r in teams}),
        **data,
    )


def import_csv(
    data: bytes,
    *,
    actor: Any,
    source: str = "csv",
    allowed_team_id: int | None = None,
    label: str = "",
) -> ImportResult:
    """Import a helpdesk CSV file (bytes) whole or not at all."""
    return import_batch(
        read_csv(decode_upload(data)),
        actor=actor,
        source=source,
        allowed_team_id=allowed_team_id,
        label=label,
    )


def import_json(payload: Any, *, token: Any) -> ImportResult:
    """Import an API body whole or not at all; the audit names the integration's token."""
    return import_batch(
        read_json(payload),
        actor=None,
        source="api",
        label=token.name,
        token_id=token.id,
    )
