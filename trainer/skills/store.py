"""Which skills map is in force (the newest stored version, else the shipped file); versions."""

import hashlib
from pathlib import Path
from typing import Any

from flask import current_app, g, has_app_context

from trainer.config import ROOT
from trainer.core import audit
from trainer.extensions import db
from trainer.skills.models import SkillMapVersion
from trainer.skills.skillmap import SkillMap, parse_map

MAP_FILE = Path("courses") / "skills.yaml"
FILE, EDITOR = "file", "editor"


def content_root() -> Path:
    """The content root the map's references are checked against."""
    return Path(current_app.config["CONTENT_ROOT"])


def shipped_path() -> Path:
    """The map below the content root (the repository's copy if the root has none)."""
    if has_app_context():
        path = Path(current_app.config["CONTENT_ROOT"]) / MAP_FILE
        if path.is_file():
            return path
    return Path(ROOT) / MAP_FILE


def digest(text: str) -> str:
    """The fingerprint of a map's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def latest_version() -> SkillMapVersion | None:
    """The newest stored version, if any."""
    return db.session.scalar(
        db.select(SkillMapVersion).order_by(SkillMapVersion.number.desc()).limit(1)
    )


def active_text() -> tuple[str, SkillMapVersion | None]:
    """The text in force and its stored version (None: the shipped file)."""
    version = latest_version()
    if version is not None:
        return version.yaml_text, version
    return shipped_path().read_text(encoding="utf-8"), None


def latest_columns():
    """Scalar subqueries for the newest version's id and digest (to join into another query)."""
    newest = db.select(SkillMapVersion).order_by(SkillMapVersion.number.desc()).limit(1)
    newest = newest.subquery()
    return (
        db.select(newest.c.id).scalar_subquery().label("map_id"),
        db.select(newest.c.digest).scalar_subquery().label("map_digest"),
    )


def map_id_column(_user_id: Any = None) -> Any:
    """The newest version's id as a scalar subquery (read with the session on the home page)."""
    return latest_columns()[0]


def map_digest_column(_user_id: Any = None) -> Any:
    """The newest version's digest as a scalar subquery (beside `map_id_column`)."""
    return latest_columns()[1]


def map_at(version_id: int | None, fingerprint: str | None) -> SkillMap:
    """The map of a stored version (None: the shipped file), parsed once per text and app."""
    if "trainer_skill_map" in g:
        return g.trainer_skill_map
    cache = current_app.extensions.setdefault("trainer_skill_maps", {})
    if version_id is not None:
        key = ("db", version_id, fingerprint)
        if key not in cache:
            cache[key] = parse_map(db.session.get(SkillMapVersion, version_id).yaml_text)
    else:
        path = shipped_path()
        key = ("file", str(path), path.stat().st_mtime_ns)
        if key not in cache:
            cache[key] = parse_map(path.read_text(encoding="utf-8"))
    g.trainer_skill_map = cache[key]
    return cache[key]


def active_map() -> SkillMap:
    """The map in force (one query for its version, then the cached parse)."""
    if "trainer_skill_map" in g:
        return g.trainer_skill_map
    row = db.session.execute(
        db.select(SkillMapVersion.id, SkillMapVersion.digest)
        .order_by(SkillMapVersion.number.desc())
        .limit(1)
    ).first()
    return map_at(row.id, row.digest) if row is not None else map_at(None, None)


def save_version(text: str, *, source: str, actor: Any = None, only_if_changed: bool = False):
    """Store `text` (already validated) as the newest version.

    `only_if_changed`: None when the newest version from the same source has this text (so
    a content sync of an unchanged file keeps a trainer's later edit in force)."""
    newest = latest_version()
    fingerprint = digest(text)
    if only_if_changed:
        same_source = db.session.scalar(
            db.select(SkillMapVersion.digest)
            .where(SkillMapVersion.source == source)
            .order_by(SkillMapVersion.number.desc())
            .limit(1)
        )
        if same_source == fingerprint:
            return None
    version = SkillMapVersion(
        number=(newest.number + 1) if newest else 1,
        yaml_text=text,
        digest=fingerprint,
        source=source,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(version)
    db.session.flush()
    audit.record(actor, "skills.map_saved", version, number=version.number, source=source)
    g.pop("trainer_skill_map", None)
    return version
