"""Per-agent snapshots of skill evidence, refreshed in the transaction that stores new evidence.

The home panel and the result pages read one row instead of the seven queries of `collect`;
levels and next steps are still computed on read from the stored items (so recency moves on
with the calendar). The snapshot is refreshed on every graded role-play, finished quiz attempt,
KPI import and lesson read (the signals in core/events.py) and by `flask skills refresh`.
"""

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from trainer.core.clock import utcnow
from trainer.core.memo import request_memo, session_key
from trainer.extensions import db
from trainer.skills.evidence import AgentEvidence, collect, map_names
from trainer.skills.models import SkillSnapshot
from trainer.skills.skillmap import SkillMap

CHUNK = 500


def refresh(
    skill_map: SkillMap, user_ids: list[int]
) -> tuple[dict[int, AgentEvidence], dict[str, dict]]:
    """Recompute and store the snapshots of `user_ids`; the fresh evidence and map names."""
    if not user_ids:
        return {}, {"lessons": {}, "scenarios": {}}
    evidence = collect(skill_map, user_ids)
    names = map_names(skill_map)
    now = utcnow()
    rows = [
        {"user_id": uid, "data": {**found.as_dict(), "names": names}, "refreshed_at": now}
        for uid, found in evidence.items()
    ]
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = SkillSnapshot.__table__
    for start in range(0, len(rows), CHUNK):
        statement = insert(table).values(rows[start : start + CHUNK])
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.user_id],
                set_={
                    "data": statement.excluded.data,
                    "refreshed_at": statement.excluded.refreshed_at,
                },
            )
        )
    return evidence, names


# Read with the session on the home page (accounts.read_with_session): the agent's snapshot
# and the map version in force, as the columns of `read_with_map`'s statement.
SNAPSHOT, MAP_ID, MAP_DIGEST = "skills.snapshot", "skills.map_id", "skills.map_digest"
_NOT_READ = object()


def snapshot_column(user_id: Any) -> Any:
    """The snapshot data of a user (an id or an id column) as a scalar subquery."""
    return db.select(SkillSnapshot.data).where(SkillSnapshot.user_id == user_id).scalar_subquery()


def read_with_map(user_id: int) -> tuple[AgentEvidence, dict, tuple] | None:
    """Like `read`, plus the (id, digest) of the map version in force, in the same query (on
    the home page, in the session's statement)."""
    from trainer.skills.store import latest_columns

    data = request_memo(session_key(SNAPSHOT, user_id), lambda: _NOT_READ)
    if data is not _NOT_READ:
        version = (
            request_memo(session_key(MAP_ID), lambda: None),
            request_memo(session_key(MAP_DIGEST), lambda: None),
        )
    else:
        row = db.session.execute(
            db.select(SkillSnapshot.data, *latest_columns()).where(SkillSnapshot.user_id == user_id)
        ).first()
        data, version = (row.data, (row.map_id, row.map_digest)) if row else (None, None)
    if data is None:
        return None
    names = data.get("names") or {"lessons": {}, "scenarios": {}}
    return AgentEvidence.from_dict(data), names, version


def read(user_id: int) -> tuple[AgentEvidence, dict[str, Any]] | None:
    """The stored evidence and map names of one agent (one query), or None."""
    data = db.session.scalar(db.select(SkillSnapshot.data).where(SkillSnapshot.user_id == user_id))
    if data is None:
        return None
    return AgentEvidence.from_dict(data), data.get("names") or {"lessons": {}, "scenarios": {}}
