"""The KPI record formats (CSV columns, JSON API body) and reading them with row numbers.

Documented for integrators in docs/kpi-import.md; samples in docs/samples/.
"""

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from trainer.core.i18n import _
from trainer.core.problems import Problem, ProblemsError

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


class ImportRejected(ProblemsError):
    """The batch was refused; nothing was written. Each problem's line is its row (CSV: the
    file's line number; JSON: the record's 1-based index)."""

    def __init__(self, errors: list[Problem], unknown: Iterable[str] = (), conflict: bool = False):
        super().__init__(errors)
        self.errors = errors
        self.unknown = sorted(set(unknown))
        self.conflict = conflict  # a concurrent import, not bad data: worth retrying

    @property
    def shown(self) -> list[Problem]:
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
class ParsedBatch:
    """Rows read from a file or body, not yet checked, with their row numbers."""

    agent_rows: list[tuple[int, dict]] = field(default_factory=list)
    team_rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)  # rows that could not even be read


def decode_upload(data: bytes) -> str:
    """UTF-8 (with or without BOM, as Excel writes it), else GB18030 (Chinese Windows Excel)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRejected([Problem.at(1, _("The file is not UTF-8 or GB18030 text."))])


def read_csv(text: str) -> ParsedBatch:
    """Rows of an agent file (agent_email column) or a team file (team column), by line."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as error:  # a NUL byte or a stray carriage return in the header line
        message = _("Not valid CSV: %(error)s", error=str(error))
        raise ImportRejected([Problem.at(1, message)]) from error
    if not header:
        raise ImportRejected(
            [Problem.at(1, _("The file is empty; the first line must name the columns."))]
        )
    reader.fieldnames = header
    if "agent_email" in header:
        columns = AGENT_COLUMNS
    elif "team" in header:
        columns = TEAM_COLUMNS
    else:
        raise ImportRejected(
            [
                Problem.at(
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
        Problem.at(1, _("Unknown column %(name)s.", name=name))
        for name in header
        if name not in known
    ]
    errors += [
        Problem.at(1, _("Missing column %(name)s.", name=c.name))
        for c in columns
        if c.required and c.name not in header
    ]
    if len(set(header)) != len(header):
        errors.append(Problem.at(1, _("A column is named twice.")))
    if errors:
        raise ImportRejected(errors)
    parsed = ParsedBatch()
    target = parsed.agent_rows if columns is AGENT_COLUMNS else parsed.team_rows
    try:
        for raw in reader:
            line = reader.line_num
            if None in raw:
                parsed.errors.append(
                    Problem.at(line, _("This row has more values than the header has columns."))
                )
                continue
            if all(v is None or not str(v).strip() for v in raw.values()):
                continue
            target.append((line, raw))
            if len(target) > MAX_ROWS:
                message = _("Too many rows; split the file (at most %(n)d rows).", n=MAX_ROWS)
                raise ImportRejected([Problem.at(line, message)])
    except csv.Error as error:
        message = _("Not valid CSV: %(error)s", error=str(error))
        raise ImportRejected([Problem.at(reader.line_num, message)]) from error
    if not target and not parsed.errors:
        raise ImportRejected([Problem.at(1, _("The file has a header but no rows."))])
    return parsed


def read_json(payload: Any) -> ParsedBatch:
    """Records from an API body {"records": [...], "team_records": [...]}; index = row number."""
    if not isinstance(payload, Mapping):
        raise ImportRejected(
            [Problem.at(0, _('The body must be a JSON object with a "records" list.'))]
        )
    unknown = set(payload) - {"records", "team_records"}
    if unknown:
        raise ImportRejected([Problem.at(0, _("Unknown field %(name)s.", name=sorted(unknown)[0]))])
    parsed = ParsedBatch()
    for key, target in (("records", parsed.agent_rows), ("team_records", parsed.team_rows)):
        items = payload.get(key, [])
        if not isinstance(items, list):
            raise ImportRejected([Problem.at(0, _("%(field)s must be a list.", field=key))])
        for index, item in enumerate(items, start=1):
            if not isinstance(item, Mapping):
                raise ImportRejected([Problem.at(index, _("Each record must be a JSON object."))])
            target.append((index, dict(item)))
    count = len(parsed.agent_rows) + len(parsed.team_rows)
    if count == 0:
        raise ImportRejected([Problem.at(0, _("No records given."))])
    if count > MAX_API_RECORDS:
        raise ImportRejected(
            [
                Problem.at(
                    0, _("Too many records in one request (at most %(n)d).", n=MAX_API_RECORDS)
                )
            ]
        )
    return parsed


def chunks(items: list, size: int):
    """Slices of at most `size` items (keeps IN lists and bulk inserts a sane size)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]
