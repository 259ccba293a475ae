"""Importing daily KPI records from helpdesk CSV files and the JSON API: validate, then upsert.

A batch lands whole or not at all: every row is checked first (row-numbered errors, unknown
agents, duplicates), and only a clean batch is written. Re-importing a day replaces it.
"""

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update

from trainer.accounts.models import Team, User
from trainer.core import audit
from trainer.core.clock import today, utcnow
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.scorecards.models import KpiRecord, TeamKpiRecord

MAX_ROWS = 200_000
MAX_API_RECORDS = 5_000
MAX_SHOWN_ERRORS = 50


@dataclass(frozen=True)
class Column:
    """A CSV column / JSON field of a KPI record and how its value is checked."""

    name: str
    kind: str  # date | email | team | int | number
    required: bool = False
    low: float | None = None
    high: float | None = None


AGENT_COLUMNS = (
    Column("date", "date", required=True),
    Column("agent_email", "email", required=True),
    Column("conversations", "int", required=True, low=0, high=100_000),
    Column("first_response_seconds", "number", low=0, high=86_400),
    Column("response_rate", "number", low=0, high=100),
    Column("resolution_rate", "number", low=0, high=100),
    Column("csat", "number", low=1, high=5),
    Column("csat_responses", "int", low=0, high=100_000),
    Column("repeat_contact_rate", "number", low=0, high=100),
    Column("qa_score", "number", low=0, high=100),
)
TEAM_COLUMNS = (
    Column("date", "date", required=True),
    Column("team", "team", required=True),
    Column("cost_saving_rate", "number", low=-100, high=100),
    Column("churn_rate", "number", low=0, high=100),
)
AGENT_VALUE_FIELDS = tuple(c.name for c in AGENT_COLUMNS[2:])
TEAM_VALUE_FIELDS = tuple(c.name for c in TEAM_COLUMNS[2:])


@dataclass(frozen=True)
class RowError:
    """A problem in one row (CSV: the file's line number; JSON: the record's 1-based index)."""

    row: int
    message: str


class ImportRejected(ValueError):
    """The batch was refused; nothing was written."""

    def __init__(self, errors: list[RowError], unknown: Iterable[str] = ()):
        self.errors = errors
        self.unknown = sorted(set(unknown))
        super().__init__(f"{len(errors)} problem(s)")

    @property
    def shown(self) -> list[RowError]:
        return self.errors[:MAX_SHOWN_ERRORS]


@dataclass
class ImportResult:
    """What a clean batch did."""

    created: int = 0
    updated: int = 0
    first_day: date | None = None
    last_day: date | None = None
    agents: int = 0
    teams: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated


@dataclass
class _Parsed:
    agent_rows: list[tuple[int, dict]] = field(default_factory=list)
    team_rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # rows that could not even be read


class _ImportBatch:
    """Audit subject for an import (there is no row of its own to point at)."""

    __tablename__ = "kpi_import"

    def __init__(self, label: str):
        self.id = label


# ---------------------------------------------------------------- reading


def decode_upload(data: bytes) -> str:
    """UTF-8 (with or without BOM, as Excel writes it), else GB18030 (Chinese Windows Excel)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRejected([RowError(1, _("The file is not UTF-8 or GB18030 text."))])


def read_csv(text: str) -> _Parsed:
    """Rows of an agent file (agent_email column) or a team file (team column), by line."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise ImportRejected(
            [RowError(1, _("The file is empty; the first line must name the columns."))]
        )
    reader.fieldnames = header
    if "agent_email" in header:
        columns = AGENT_COLUMNS
    elif "team" in header:
        columns = TEAM_COLUMNS
    else:
        raise ImportRejected(
            [
                RowError(
                    1,
                    _(
                        "The header needs an agent_email column (agent figures) "
                        "or a team column (team figures)."
                    ),
                )
            ]
        )
    known = {c.name for c in columns}
    errors = [
        RowError(1, _("Unknown column %(name)s.", name=name))
        for name in header
        if name not in known
    ]
    errors += [
        RowError(1, _("Missing column %(name)s.", name=c.name))
        for c in columns
        if c.required and c.name not in header
    ]
    if len(set(header)) != len(header):
        errors.append(RowError(1, _("A column is named twice.")))
    if errors:
        raise ImportRejected(errors)
    parsed = _Parsed()
    target = parsed.agent_rows if columns is AGENT_COLUMNS else parsed.team_rows
    try:
        for raw in reader:
            line = reader.line_num
            if None in raw:
                parsed.errors.append(
                    RowError(line, _("This row has more values than the header has columns."))
                )
                continue
            if all(v is None or not str(v).strip() for v in raw.values()):
                continue
            target.append((line, raw))
            if len(target) > MAX_ROWS:
                message = _("Too many rows; split the file (at most %(n)d rows).", n=MAX_ROWS)
                raise ImportRejected([RowError(line, message)])
    except csv.Error as error:
        message = _("Not valid CSV: %(error)s", error=str(error))
        raise ImportRejected([RowError(reader.line_num, message)]) from error
    if not target and not parsed.errors:
        raise ImportRejected([RowError(1, _("The file has a header but no rows."))])
    return parsed


def read_json(payload: Any) -> _Parsed:
    """Records from an API body {"records": [...], "team_records": [...]}; index = row number."""
    if not isinstance(payload, Mapping):
        raise ImportRejected(
            [RowError(0, _('The body must be a JSON object with a "records" list.'))]
        )
    unknown = set(payload) - {"records", "team_records"}
    if unknown:
        raise ImportRejected([RowError(0, _("Unknown field %(name)s.", name=sorted(unknown)[0]))])
    parsed = _Parsed()
    for key, target in (("records", parsed.agent_rows), ("team_records", parsed.team_rows)):
        items = payload.get(key, [])
        if not isinstance(items, list):
            raise ImportRejected([RowError(0, _("%(field)s must be a list.", field=key))])
        for index, item in enumerate(items, start=1):
            if not isinstance(item, Mapping):
                raise ImportRejected([RowError(index, _("Each record must be a JSON object."))])
            target.append((index, dict(item)))
    count = len(parsed.agent_rows) + len(parsed.team_rows)
    if count == 0:
        raise ImportRejected([RowError(0, _("No records given."))])
    if count > MAX_API_RECORDS:
        raise ImportRejected(
            [RowError(0, _("Too many records in one request (at most %(n)d).", n=MAX_API_RECORDS))]
        )
    return parsed


# ---------------------------------------------------------------- checking


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ValueError
    return str(value).strip()


def _convert(column: Column, value: Any) -> Any:
    """The checked value, None when empty; raises ValueError with a user-facing message."""
    try:
        text = _text(value)
    except ValueError:
        raise ValueError(_("%(column)s: not a number.", column=column.name)) from None
    if not text:
        if column.required:
            raise ValueError(_("%(column)s is required.", column=column.name))
        return None
    if column.kind == "date":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(
                _("date: %(value)s is not a date like 2026-11-20.", value=text[:40])
            ) from None
        if day > today():
            raise ValueError(_("date: %(value)s is in the future.", value=text))
        if day.year < 2000:
            raise ValueError(_("date: %(value)s is too far in the past.", value=text))
        return day
    if column.kind in ("email", "team"):
        return text.lower() if column.kind == "email" else text
    number_text = text.removesuffix("%").strip()
    try:
        number = float(number_text)
    except ValueError:
        raise ValueError(
            _("%(column)s: %(value)s is not a number.", column=column.name, value=text[:40])
        ) from None
    if not math.isfinite(number):
        raise ValueError(
            _("%(column)s: %(value)s is not a number.", column=column.name, value=text[:40])
        )
    if column.kind == "int":
        if number != int(number):
            raise ValueError(_("%(column)s must be a whole number.", column=column.name))
        number = int(number)
    if (column.low is not None and number < column.low) or (
        column.high is not None and number > column.high
    ):
        raise ValueError(
            _(
                "%(column)s: %(value)s is outside %(low)s-%(high)s.",
                column=column.name,
                value=text[:40],
                low=_fmt(column.low),
                high=_fmt(column.high),
            )
        )
    return number


def _fmt(number: float | None) -> str:
    return f"{number:g}" if number is not None else ""


def _check_rows(
    rows: list[tuple[int, dict]], columns: tuple[Column, ...], errors: list[RowError]
) -> list[tuple[int, dict]]:
    known = {c.name for c in columns}
    clean = []
    for row, raw in rows:
        values, ok = {}, True
        for name in sorted(set(raw) - known):
            errors.append(RowError(row, _("Unknown field %(name)s.", name=name)))
            ok = False
        for column in columns:
            try:
                values[column.name] = _convert(column, raw.get(column.name))
            except ValueError as error:
                errors.append(RowError(row, str(error)))
                ok = False
        if ok:
            clean.append((row, values))
    return clean


def _resolve_agents(rows, errors, allowed_team_id) -> tuple[list[dict], set[str]]:
    emails = {values["agent_email"] for _row, values in rows}
    users = {}
    for chunk in _chunks(sorted(emails), 900):
        query = select(User.id, User.email, User.role, User.team_id).where(User.email.in_(chunk))
        users.update({u.email: u for u in db.session.execute(query)})
    unknown: set[str] = set()
    seen: dict[tuple[int, date], int] = {}
    out = []
    for row, values in rows:
        user = users.get(values["agent_email"])
        if user is None:
            unknown.add(values["agent_email"])
            errors.append(RowError(row, _("Unknown agent %(email)s.", email=values["agent_email"])))
            continue
        if user.role != "agent":
            errors.append(RowError(row, _("%(email)s is not an agent.", email=user.email)))
            continue
        if allowed_team_id is not None and user.team_id != allowed_team_id:
            errors.append(RowError(row, _("%(email)s is not in your team.", email=user.email)))
            continue
        key = (user.id, values["date"])
        if key in seen:
            errors.append(
                RowError(
                    row,
                    _(
                        "Duplicate: %(email)s on %(day)s is also in row %(other)d.",
                        email=user.email,
                        day=values["date"].isoformat(),
                        other=seen[key],
                    ),
                )
            )
            continue
        seen[key] = row
        out.append(
            {
                "agent_id": user.id,
                "day": values["date"],
                **{f: values[f] for f in AGENT_VALUE_FIELDS},
            }
        )
    return out, unknown


def _resolve_teams(rows, errors, allowed_team_id) -> list[dict]:
    names = {values["team"] for _row, values in rows}
    teams = (
        {
            t.name: t.id
            for t in db.session.execute(select(Team.id, Team.name).where(Team.name.in_(names)))
        }
        if names
        else {}
    )
    seen: dict[tuple[int, date], int] = {}
    out = []
    for row, values in rows:
        team_id = teams.get(values["team"])
        if team_id is None:
            errors.append(RowError(row, _("Unknown team %(name)s.", name=values["team"])))
            continue
        if allowed_team_id is not None and team_id != allowed_team_id:
            errors.append(RowError(row, _("%(name)s is not your team.", name=values["team"])))
            continue
        key = (team_id, values["date"])
        if key in seen:
            errors.append(
                RowError(
                    row,
                    _(
                        "Duplicate: team %(name)s on %(day)s is also in row %(other)d.",
                        name=values["team"],
                        day=values["date"].isoformat(),
                        other=seen[key],
                    ),
                )
            )
            continue
        seen[key] = row
        out.append(
            {"team_id": team_id, "day": values["date"], **{f: values[f] for f in TEAM_VALUE_FIELDS}}
        )
    return out


def check_batch(
    parsed: _Parsed, allowed_team_id: int | None = None
) -> tuple[list[dict], list[dict]]:
    """Clean agent and team rows ready to write; raises ImportRejected listing every problem."""
    errors: list[RowError] = list(parsed.errors)
    agent_rows = _check_rows(parsed.agent_rows, AGENT_COLUMNS, errors)
    team_rows = _check_rows(parsed.team_rows, TEAM_COLUMNS, errors)
    agents, unknown = _resolve_agents(agent_rows, errors, allowed_team_id)
    teams = _resolve_teams(team_rows, errors, allowed_team_id)
    if errors:
        errors.sort(key=lambda e: e.row)
        raise ImportRejected(errors, unknown)
    return agents, teams


# ---------------------------------------------------------------- writing


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _upsert(model, owner: str, rows: list[dict], source: str) -> tuple[int, int]:
    """Insert new (owner, day) rows and replace existing ones; returns (created, updated)."""
    if not rows:
        return 0, 0
    owner_column = getattr(model, owner)
    first, last = min(r["day"] for r in rows), max(r["day"] for r in rows)
    existing: dict[tuple[int, date], int] = {}
    for chunk in _chunks(sorted({r[owner] for r in rows}), 900):
        query = select(model.id, owner_column, model.day).where(
            owner_column.in_(chunk), model.day.between(first, last)
        )
        existing.update({(r[1], r[2]): r[0] for r in db.session.execute(query)})
    now = utcnow()
    new, changed = [], []
    for row in rows:
        values = {**row, "source": source, "updated_at": now}
        record_id = existing.get((row[owner], row["day"]))
        if record_id is None:
            new.append(values)
        else:
            changed.append({"id": record_id, **values})
    for chunk in _chunks(new, 2000):
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
    parsed: _Parsed,
    *,
    actor: Any,
    source: str,
    allowed_team_id: int | None = None,
    label: str = "",
    **data: Any,
) -> ImportResult:
    """Check and write a parsed batch in the caller's transaction, and audit it."""
    agents, teams = check_batch(parsed, allowed_team_id)
    result = write_batch(agents, teams, source=source)
    batch = _ImportBatch(f"{source}:{result.first_day}..{result.last_day}")
    audit.record(
        actor,
        "kpi.import",
        batch,
        after={"created": result.created, "updated": result.updated},
        source=source,
        label=label[:200],
        first_day=str(result.first_day),
        last_day=str(result.last_day),
        agents=result.agents,
        teams=result.teams,
        **data,
    )
    return result


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
