"""Backups of the SQLite database with its online backup API (consistent while users work).

PostgreSQL deployments back up with `pg_dump` (see docs/operations.md): the database server
already offers consistent dumps and point-in-time recovery, so the app does not wrap them.
"""

import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

from trainer.core.clock import utcnow


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def sqlite_path(engine: Engine) -> Path:
    """The database file behind a SQLite engine; BackupError for other databases."""
    url = make_url(str(engine.url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            "backups through the app are for the SQLite file; on PostgreSQL use pg_dump "
            "(see docs/operations.md)"
        )
    return Path(url.database)


def default_backup_path(folder: Path, now: datetime | None = None) -> Path:
    """instance/backups/trainer-YYYYmmddTHHMMSSZ.db."""
    stamp = (now or utcnow()).strftime("%Y%m%dT%H%M%SZ")
    return folder / f"trainer-{stamp}.db"


def create_backup(engine: Engine, target: Path) -> Path:
    """Copy the live database to `target` page by page, without stopping writers."""
    source_path = sqlite_path(engine)
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    with _connect(source_path) as source, _connect(target) as copy:
        source.backup(copy)
    _check(target)
    return target


def restore_backup(engine: Engine, backup: Path) -> Path:
    """Replace the database with `backup` (checked first); the engine's connections are closed."""
    if not backup.is_file():
        raise BackupError(f"{backup} is not a file")
    _check(backup)
    target_path = sqlite_path(engine)
    engine.dispose()
    with _connect(backup) as source, _connect(target_path) as target:
        source.backup(target)
    return target_path


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(str(path))
    connection.execute("PRAGMA busy_timeout=10000")
    return connection


def _check(path: Path) -> None:
    """Refuse a file that is not a sound SQLite database of this app."""
    try:
        with _connect(path) as connection:
            status = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database: {error}") from error
    if status != "ok":
        raise BackupError(f"{path} is damaged: {status}")
    if "alembic_version" not in tables:
        raise BackupError(f"{path} is not a Trainer database (no alembic_version table)")
