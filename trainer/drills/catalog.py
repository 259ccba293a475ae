"""Drills in the database: versions (a changed file or form makes a new one), lookups."""

from trainer.core.clock import utcnow
from trainer.drills.models import Drill, DrillVersion
from trainer.drills.spec import spec_digest
from trainer.extensions import db

FILE, EDITOR = "file", "editor"


def get_drill(slug: str) -> Drill | None:
    """The drill with this slug, if any."""
    return db.session.scalar(db.select(Drill).where(Drill.slug == slug))


def all_drills() -> list[Drill]:
    """Every drill with its current version, by slug."""
    query = (
        db.select(Drill)
        .where(Drill.current_version_id.is_not(None))
        .options(db.joinedload(Drill.current_version))
        .order_by(Drill.slug)
    )
    return list(db.session.scalars(query))


def save_version(spec: dict, yaml_text: str, *, source: str, actor=None):
    """Store `spec` as the drill's new current version unless unchanged: (drill, version|None)."""
    drill = get_drill(spec["slug"])
    now = utcnow()
    digest = spec_digest(spec)
    if drill is None:
        drill = Drill(slug=spec["slug"], created_at=now)
        db.session.add(drill)
        last = 0
    else:
        if drill.current_version is not None and drill.current_version.digest == digest:
            return drill, None
        last = (
            db.session.scalar(
                db.select(db.func.max(DrillVersion.number)).where(DrillVersion.drill_id == drill.id)
            )
            or 0
        )
    drill.title = spec["title"]
    drill.updated_at = now
    version = DrillVersion(
        drill=drill,
        number=last + 1,
        spec=spec,
        yaml_text=yaml_text,
        digest=digest,
        source=source,
        created_by_id=actor.id if actor is not None else None,
        created_at=now,
    )
    db.session.add(version)
    db.session.flush()
    drill.current_version = version
    db.session.flush()
    return drill, version


def file_unchanged(drill: Drill, spec: dict) -> bool:
    """True when the newest version loaded from a file has this content."""
    digest = db.session.scalar(
        db.select(DrillVersion.digest)
        .where(DrillVersion.drill_id == drill.id, DrillVersion.source == FILE)
        .order_by(DrillVersion.number.desc())
        .limit(1)
    )
    return digest == spec_digest(spec)
