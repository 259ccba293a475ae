"""The bench data's bulk inserts (bench/bulk.py) store rows as the ORM would."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from bench import bulk
from trainer.certification.models import Certification
from trainer.extensions import db
from trainer.scorecards.models import KpiRecord

BEIJING = timezone(timedelta(hours=8))


def _stored(ids: list[int]) -> list[tuple]:
    """The raw stored columns (no ORM conversion) of certifications, in id order."""
    columns = "user_id, level, status, source, evidence, notice, reason, granted_at, created_at"
    query = sa.text(f"SELECT {columns} FROM certifications WHERE id IN :ids ORDER BY id")
    rows = db.session.execute(query.bindparams(sa.bindparam("ids", expanding=True)), {"ids": ids})
    return [tuple(row) for row in rows]


def test_rows_are_stored_like_the_core_insert_of_the_same_rows(make_user):
    agents = [make_user("agent"), make_user("agent")]
    granted = datetime(2026, 12, 1, 20, 30, tzinfo=BEIJING)  # 12:30 UTC
    created = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)

    def rows(agent):
        # `evidence` is left out (its Python default applies); `notice` None is JSON null.
        return [
            {
                "user_id": agent.id,
                "level": "L1",
                "status": "granted",
                "source": "override",
                "notice": None,
                "reason": "制表符\t换行\n反斜杠\\",
                "granted_at": granted,
                "created_at": created,
            }
        ]

    assert bulk.insert_rows(Certification, rows(agents[0])) == 1
    db.session.execute(Certification.__table__.insert(), rows(agents[1]))
    db.session.commit()
    ids = db.session.scalars(db.select(Certification.id).order_by(Certification.id)).all()
    by_bulk, by_core = _stored(ids)
    assert by_bulk[1:] == by_core[1:]
    loaded = db.session.get(Certification, ids[0])
    assert loaded.evidence == {} and loaded.notice is None
    assert loaded.granted_at == granted and loaded.granted_at.tzinfo == UTC
    assert loaded.reason == "制表符\t换行\n反斜杠\\"


def test_many_rows_in_several_batches(make_user, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 2)
    agent = make_user("agent")
    rows = ({"user_id": agent.id, "level": f"L{i}", "status": "granted"} for i in range(5))
    assert bulk.insert_rows(Certification, rows) == 5
    assert bulk.insert_rows(Certification, iter([])) == 0
    levels = db.session.scalars(db.select(Certification.level).order_by(Certification.id))
    assert levels.all() == ["L0", "L1", "L2", "L3", "L4"]


def _indexes() -> set:
    """Index and constraint definitions of kpi_records (PostgreSQL), or the SQLite schema."""
    if db.session.get_bind().dialect.name != "postgresql":
        query = "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'kpi_records'"
        return set(map(tuple, db.session.execute(sa.text(query))))
    indexes = db.session.execute(
        sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'kpi_records'")
    )
    constraints = db.session.execute(
        sa.text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = CAST('kpi_records' AS regclass)"
        )
    )
    return set(map(tuple, indexes)) | set(map(tuple, constraints))


def test_indexes_and_constraints_come_back_after_the_load(make_user):
    agent = make_user("agent")
    before = _indexes()
    assert len(before) >= 3
    day = datetime(2026, 12, 1, tzinfo=UTC).date()
    rows = [{"agent_id": agent.id, "day": day, "conversations": 40, "source": "bench"}]
    with bulk.indexes_after(KpiRecord):
        bulk.insert_rows(KpiRecord, rows)
    assert _indexes() == before
    # The unique (agent, day) constraint holds again.
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(KpiRecord.__table__.insert(), rows)
        db.session.flush()
