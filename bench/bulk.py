"""Fast inserts of generated bench rows: PostgreSQL COPY, or executemany batches on SQLite.

The bench data builders generate plain dicts (one per row, every row with the same keys) and
hand them here, inside the session's transaction: no ORM objects, no statement per row. On
PostgreSQL the rows go through COPY on the session's own psycopg connection; elsewhere they go
in as executemany batches of `CHUNK` rows. Either way a row ends up as the ORM would store it:
columns left out get their Python-side defaults, JSON values are serialised (None as JSON null,
as SQLAlchemy does), timestamps are stored as naive UTC (trainer/core/db.py's UTCDateTime).
"""

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC

import sqlalchemy as sa

CHUNK = 5000


def insert_rows(table, rows: Iterable[dict], **shared) -> int:
    """Insert `rows` (dicts with the same keys) into `table` (a Table or a model class), each
    with the `shared` column values too; returns the number of rows."""
    from trainer.extensions import db

    table = getattr(table, "__table__", table)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return _copy(connection, table, rows, shared)
    batch, total = [], 0
    for row in rows:
        batch.append({**row, **shared} if shared else row)
        if len(batch) >= CHUNK:
            connection.execute(table.insert(), batch)
            total, batch = total + len(batch), []
    if batch:
        connection.execute(table.insert(), batch)
        total += len(batch)
    return total


def _naive_utc(value):
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _converter(column: sa.Column) -> Callable | None:
    """What turns a Python value into what COPY needs for this column (None: as it is)."""
    kind = column.type
    if isinstance(kind, sa.TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, sa.JSON):
        if kind.none_as_null:
            return lambda value: None if value is None else json.dumps(value)
        return json.dumps
    if isinstance(kind, sa.DateTime):
        return _naive_utc
    return None


def _defaults(table: sa.Table, given: set[str]) -> dict:
    """Python-side defaults of the columns the rows leave out (server defaults apply anyway)."""
    values = {}
    for column in table.columns:
        default = column.default
        if column.key in given or default is None or not (default.is_scalar or default.is_callable):
            continue
        values[column.key] = default.arg(None) if default.is_callable else default.arg
    return values


def _copy(connection, table: sa.Table, rows: Iterable[dict], shared: dict) -> int:
    """COPY the rows in, in the session's transaction (the columns of the first row, then the
    shared values and the defaults of the columns left out)."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    keys = list(first)
    fixed = {**shared, **_defaults(table, {*keys, *shared})}
    columns = [table.c[key] for key in [*keys, *fixed]]
    converters = [_converter(column) for column in columns]
    per_row = [(i, convert) for i, convert in enumerate(converters[: len(keys)]) if convert]
    tail = [
        value if convert is None else convert(value)
        for value, convert in zip(fixed.values(), converters[len(keys) :], strict=True)
    ]
    names = ", ".join(f'"{column.name}"' for column in columns)
    cursor = connection.connection.driver_connection.cursor()
    total = 0
    with cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in _chain(first, rows):
            values = [row[key] for key in keys]
            for i, convert in per_row:
                values[i] = convert(values[i])
            copy.write_row(values + tail)
            total += 1
    return total


def _chain(first: dict, rest):
    yield first
    yield from rest


@contextmanager
def indexes_after(table) -> Iterator[None]:
    """On PostgreSQL, load `table` without its secondary indexes and its unique and foreign-key
    constraints, and build them again at the end, each in one pass (for the KPI history: 3×
    less database CPU than keeping them up to date row by row). All in the session's
    transaction, so a failed load leaves the table as it was. Elsewhere: nothing."""
    from trainer.extensions import db

    table = getattr(table, "__table__", table)
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        yield
        return
    name = {"name": table.name}
    constraints = connection.execute(
        sa.text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = CAST(:name AS regclass) AND contype IN ('u', 'f')"
        ),
        name,
    ).all()
    indexes = connection.execute(
        sa.text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :name AND indexname"
            " NOT IN (SELECT conname FROM pg_constraint"
            " WHERE conrelid = CAST(:name AS regclass))"
        ),
        name,
    ).all()
    for constraint, _definition in constraints:
        connection.exec_driver_sql(f'ALTER TABLE "{table.name}" DROP CONSTRAINT "{constraint}"')
    for index, _definition in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{index}"')
    yield
    for _index, definition in indexes:
        connection.exec_driver_sql(definition)
    for constraint, definition in constraints:
        connection.exec_driver_sql(
            f'ALTER TABLE "{table.name}" ADD CONSTRAINT "{constraint}" {definition}'
        )


def analyze() -> None:
    """Commit, then refresh the planner's statistics after the bulk load (both databases)."""
    from trainer.extensions import db

    db.session.commit()
    db.session.connection().exec_driver_sql("ANALYZE")
    db.session.commit()
