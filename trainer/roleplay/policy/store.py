"""Which policy is in force (newest stored version, else the shipped file) and saving versions."""

import functools
from pathlib import Path

from flask import current_app, has_app_context

from trainer.config import ROOT
from trainer.core import audit, events
from trainer.extensions import db
from trainer.roleplay.policy.models import PolicyVersion
from trainer.roleplay.policy.spec import Policy, compile_policy, digest, parse

POLICY_FILE = Path("scenarios") / "_policy.yaml"
FILE, EDITOR = "file", "editor"


def shipped_path() -> Path:
    """The policy file below the content root (the repository's copy if the root has none)."""
    if has_app_context():
        path = Path(current_app.config["CONTENT_ROOT"]) / POLICY_FILE
        if path.is_file():
            return path
    return Path(ROOT) / POLICY_FILE


@functools.lru_cache(maxsize=4)
def _compile_file(path: str, mtime: float) -> Policy:
    text = Path(path).read_text(encoding="utf-8")
    return compile_policy(parse(text), text=text)


def shipped_policy() -> Policy:
    """The policy as shipped in the file (compiled once per file change)."""
    path = shipped_path()
    return _compile_file(str(path), path.stat().st_mtime)


@functools.lru_cache(maxsize=8)
def _compile_version(version_id: int, fingerprint: str) -> Policy:
    row = db.session.get(PolicyVersion, version_id)
    return compile_policy(row.data, version=row.number, text=row.yaml_text)


def latest_version() -> PolicyVersion | None:
    """The newest stored version, if any."""
    return db.session.scalar(
        db.select(PolicyVersion).order_by(PolicyVersion.number.desc()).limit(1)
    )


def active_policy() -> Policy:
    """The platform policy in force: the newest stored version, else the shipped file."""
    if not has_app_context():
        return shipped_policy()
    newest = db.session.execute(
        db.select(PolicyVersion.id, PolicyVersion.digest)
        .order_by(PolicyVersion.number.desc())
        .limit(1)
    ).first()
    return _compile_version(*newest) if newest is not None else shipped_policy()


def active_text() -> str:
    """The YAML of the policy in force (the file as it is, even if it has problems)."""
    latest = latest_version()
    if latest is not None:
        return latest.yaml_text
    return shipped_path().read_text(encoding="utf-8")


def versions() -> list[PolicyVersion]:
    """Every stored version, newest first, with its author."""
    return list(
        db.session.scalars(
            db.select(PolicyVersion)
            .options(db.joinedload(PolicyVersion.created_by))
            .order_by(PolicyVersion.number.desc())
        )
    )


def save_version(
    text: str, *, source: str, actor=None, note: str = "", only_if_source_changed: bool = False
) -> PolicyVersion | None:
    """Validate and store `text` as a new version (None when nothing changed); the caller commits.

    Raises PolicyError with line-numbered problems; nothing is added then. With
    `only_if_source_changed` (content sync) the text is compared with the newest version loaded
    from the same source, so browser edits stay until the file itself changes.
    """
    data = parse(text)
    fingerprint = digest(data)
    latest = latest_version()
    if only_if_source_changed:
        same_source = db.session.scalar(
            db.select(PolicyVersion.digest)
            .where(PolicyVersion.source == source)
            .order_by(PolicyVersion.number.desc())
            .limit(1)
        )
        if same_source == fingerprint:
            return None
    if latest is not None and latest.digest == fingerprint:
        return None
    version = PolicyVersion(
        number=(latest.number + 1) if latest else 1,
        yaml_text=text,
        data=data,
        digest=fingerprint,
        source=source,
        note=note.strip()[:500],
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(version)
    db.session.flush()
    audit.record(
        actor,
        "policy.version",
        version,
        version=version.number,
        source=source,
        note=version.note,
        rules=[rule["id"] for rule in data["rules"]],
    )
    events.policy_saved.send(version=version)
    return version
