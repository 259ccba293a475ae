"""Column types every feature's models use (the declarative base lives in extensions)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, TypeDecorator, event, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from trainer.core.sqlite_writers import queue_writers


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always returned timezone-aware (UTC).

    SQLite drops time zones while PostgreSQL keeps them; normalising here means code and tests
    compare datetimes the same way on both.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column; use clock.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def get_or_create(session: Session, model: type, defaults: dict | None = None, **keys: Any):
    """The row of `model` with `keys`, inserted (with `defaults`) if missing — race-safe.

    Two requests of one user (two tabs, a double tap) may both find nothing and both insert:
    the insert is `ON CONFLICT DO NOTHING` on the unique keys, so the loser simply reads the
    winner's row instead of answering with a 500 (and no savepoint is needed, which pysqlite
    would turn into an early commit).
    """
    query = select(model).filter_by(**keys)
    row = session.scalar(query)
    if row is not None:
        return row
    dialect = session.get_bind().dialect.name
    insert = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}[dialect]
    session.execute(
        insert(model)
        .values(**keys, **(defaults or {}))
        .on_conflict_do_nothing(index_elements=list(keys))
    )
    return session.scalar(query)


def engine_options(url: str, options: dict[str, Any]) -> dict[str, Any]:
    """The engine options for `url`: a SQLite file is not a server that can drop a connection,
    so its pool does not ping before each checkout (a statement on every request for nothing);
    other databases keep the configured ping (a restarted server costs one 503, not many)."""
    if url.startswith("sqlite"):
        return {**options, "pool_pre_ping": False}
    return dict(options)


def tune_sqlite(engine: Engine, pragmas: dict[str, Any]) -> None:
    """Set `pragmas` on every new connection of a SQLite engine (no-op for other databases).

    WAL lets readers work while one request writes, and a busy timeout makes a second writer
    wait its turn instead of failing at once with "database is locked"; within a process,
    writers queue for their turn (core.sqlite_writers).
    """
    if engine.dialect.name != "sqlite" or not pragmas:
        return

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for name, value in pragmas.items():
            cursor.execute(f"PRAGMA {name}={value}")
        cursor.close()

    queue_writers(engine, int(pragmas.get("busy_timeout", 5000)) / 1000)
