"""`flask backup create|restore`: a copy taken while the app runs restores every record."""

import os

import pytest
import sqlalchemy as sa

from trainer import create_app
from trainer.config import TestingConfig as Settings
from trainer.extensions import db

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="app backups are for SQLite; pg_dump otherwise",
)

TABLES = (
    "users",
    "quiz_attempts",
    "quiz_attempt_answers",
    "roleplay_turns",
    "roleplay_grades",
    "kpi_records",
    "audit_events",
    "lesson_progress",
)


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}


def test_backup_restores_every_record_into_an_empty_database(app, runner, tmp_path):
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    before = _counts(db.engine)
    assert all(before[t] > 0 for t in ("users", "roleplay_turns", "kpi_records", "audit_events"))

    target = tmp_path / "copy.db"
    made = runner.invoke(args=["backup", "create", str(target)])
    assert made.exit_code == 0, made.output
    again = runner.invoke(args=["backup", "create", str(target)])
    assert again.exit_code != 0 and "already exists" in again.output

    empty = create_app(Settings(), SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'e.db'}")
    with empty.app_context():
        restored = empty.test_cli_runner().invoke(args=["backup", "restore", "--yes", str(target)])
        assert restored.exit_code == 0, restored.output
        assert _counts(db.engine) == before
        db.engine.dispose()


def test_restore_refuses_a_file_that_is_not_a_trainer_database(app, runner, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    result = runner.invoke(args=["backup", "restore", "--yes", str(junk)])
    assert result.exit_code != 0 and "not a SQLite database" in result.output
    assert db.session.scalar(sa.text("SELECT count(*) FROM alembic_version")) == 1
