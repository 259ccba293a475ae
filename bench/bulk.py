"""Fast inserts of generated bench rows: PostgreSQL COPY, or executemany batches on SQLite.

The bench data builders generate plain dicts (one per row, every row with the same keys) and
hand them here, inside the session's transaction: no ORM objects, no statement per row. On
PostgreSQL the rows go through COPY on the session's own psycopg connection; on SQLite they go
in as executemany batches of `CHUNK` rows on the driver. Either way a row ends up as the ORM
would store it: columns left out get their Python-side defaults, JSON values are serialised
(None as JSON null, as SQLAlchemy does), timestamps are stored as naive UTC
(trainer/core/db.py's UTCDateTime).
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
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    if connection.dialect.name == "postgresql":
        return _copy(connection, table, _chain(first, rows), _Layout(table, first, shared))
    layout = _Layout(table, first, shared, connection.dialect)
    names = ", ".join(f'"{column.name}"' for column in layout.columns)
    marks = ", ".join("?" for _column in layout.columns)
    statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    batch, total = [], 0
    for row in _chain(first, rows):
        batch.append(tuple(layout.values(row)))
        if len(batch) >= CHUNK:
            connection.exec_driver_sql(statement, batch)
            total, batch = total + len(batch), []
    if batch:
        connection.exec_driver_sql(statement, batch)
        total += len(batch)
    return total


class _Layout:
    """The columns of a bulk insert and how each row's values become the database's: the keys
    of the first row, then the shared values and the Python defaults of the columns left out
    (computed once). With a `dialect`, values go through SQLAlchemy's own bind processors (what
    an executemany would do); without, through what COPY needs (`_converter`)."""

    def __init__(self, table: sa.Table, first: dict, shared: dict, dialect=None):
        self.keys = list(first)
        fixed = {**shared, **_defaults(table, {*self.keys, *shared})}
        self.columns = [table.c[key] for key in [*self.keys, *fixed]]
        if dialect is None:
            converters = [_converter(column) for column in self.columns]
        else:
            converters = [
                column.type.dialect_impl(dialect).bind_processor(dialect) for column in self.columns
            ]
        self.per_row = [(i, f) for i, f in enumerate(converters[: len(self.keys)]) if f]
        self.tail = [
            value if convert is None else convert(value)
            for value, convert in zip(fixed.values(), converters[len(self.keys) :], strict=True)
        ]

    def values(self, row: dict) -> list:
        """The row's values in column order, converted."""
        values = [row[key] for key in self.keys]
        for i, convert in self.per_row:
            values[i] = convert(values[i])
        return values + self.tail


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


def _copy(connection, table: sa.Table, rows: Iterable[dict], layout: _Layout) -> int:
    """COPY the rows in, in the session's transaction."""
    names = ", ".join(f'"{column.name}"' for column in layout.columns)
    cursor = connection.connection.driver_connection.cursor()
    total = 0
    with cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(layout.values(row))
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
