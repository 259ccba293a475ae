"""Configuration documents (KPI catalogue, certification levels, later policy and skills): shipped
YAML files that an admin may override with a validated copy stored in the database.

`current(source)` parses the document in force once and keeps it until it changes: the cache is
keyed by the override's text (or the shipped file's mtime) and by the documents it depends on.
"""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app, g, has_app_context
from sqlalchemy import ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.core import audit
from trainer.core.clock import utcnow
from trainer.core.db import UTCDateTime
from trainer.core.i18n import _
from trainer.core.memo import request_memo, session_key
from trainer.core.problems import Problem, ProblemsError
from trainer.core.yamlsafe import Document, DocumentError, load_document
from trainer.extensions import db

log = logging.getLogger("trainer.config")


class ConfigDocument(db.Model):
    """An admin's override of a shipped YAML config file (KPI catalogue, certification levels)."""

    __tablename__ = "config_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    content: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Saves of this document (1 when created): their sum over all documents is the overrides'
    # revision, which grows with every save (overrides are saved, never deleted).
    revision: Mapped[int] = mapped_column(default=1, server_default="1")

    updated_by = relationship("User")

    def __repr__(self) -> str:
        return f"<ConfigDocument {self.name}>"


@dataclass(frozen=True)
class ConfigSource:
    """A configuration document: its override name, shipped file and parser (raises
    ProblemsError); `depends` are documents its parse reads (the ladder reads the KPIs)."""

    name: str
    shipped: Path
    parse: Callable[[str], Any]
    depends: tuple["ConfigSource", ...] = field(default=())
    label: Any = None  # what people call it ("Certification levels"), for messages

    def __post_init__(self) -> None:
        if self.depends:
            _DEPENDENTS.append(self)


# Documents that read others: saving a document checks they still validate with it.
_DEPENDENTS: list[ConfigSource] = []


def load_config_yaml(text: str) -> Document:
    """Parse config YAML with line numbers; a syntax error becomes a ProblemsError."""
    try:
        return load_document(text)
    except DocumentError as error:
        message = (
            _("YAML syntax: %(problem)s", problem=error.message) if error.syntax else error.message
        )
        raise ProblemsError([Problem.at(error.line, message)]) from error


def get_override(name: str) -> ConfigDocument | None:
    """The admin's saved version of config `name`, if any."""
    return db.session.scalar(db.select(ConfigDocument).where(ConfigDocument.name == name))


def effective_text(name: str, shipped: Path) -> tuple[str, ConfigDocument | None]:
    """The text in force (the admin's version, else the shipped file) and the override row."""
    override = get_override(name)
    return (override.content if override else shipped.read_text(encoding="utf-8")), override


REVISION = "config_revision"


def revision_column(_user_id: Any = None) -> Any:
    """The overrides' revision (the sum of their saves) as a scalar subquery, read with the
    session on a GET (accounts.read_with_session)."""
    return db.select(func.coalesce(func.sum(ConfigDocument.revision), 0)).scalar_subquery()


def _read_overrides() -> dict[str, str]:
    return dict(db.session.execute(db.select(ConfigDocument.name, ConfigDocument.content)).all())


def _overrides() -> dict[str, str]:
    """Every saved override's text by name, memoised for the request. On a GET whose session
    read the overrides' revision, the process keeps them from one request to the next until the
    revision changes (any process's save raises it); otherwise one query."""
    if not has_app_context():
        return _read_overrides()
    if "trainer_config_overrides" not in g:
        g.trainer_config_overrides = _overrides_at(
            request_memo(session_key(REVISION), _no_revision)
        )
    return g.trainer_config_overrides


def _no_revision() -> None:
    return None


def _overrides_at(revision: int | None) -> dict[str, str]:
    if revision is None:  # not read with the session (a POST, a job, a command)
        return _read_overrides()
    kept = current_app.extensions.get("trainer_config_overrides")
    if kept is None or kept[0] != revision:
        # Read after the revision: at least as new as it, so keeping them under it is safe
        # (a newer save raises the revision the next request sees, and they are read again).
        kept = current_app.extensions["trainer_config_overrides"] = (revision, _read_overrides())
    return kept[1]


def _version(source: ConfigSource, overrides: dict[str, str]) -> tuple:
    text = overrides.get(source.name)
    own = (
        ("db", hashlib.sha256(text.encode("utf-8")).hexdigest())
        if text is not None
        else ("file", source.shipped.stat().st_mtime_ns)
    )
    return (own, *(_version(dep, overrides) for dep in source.depends))


def parse_count(name: str) -> int:
    """How many times this process parsed document `name` (the cache's tests read it)."""
    return _PARSES.get(name, 0)


_PARSES: dict[str, int] = {}


def current(source: ConfigSource) -> Any:
    """The parsed document in force: parsed once per version, memoised for the request.

    The version is the override's text hash (else the shipped file's mtime) and the versions
    of the documents it depends on; every override is read in one query per request.
    A saved copy was valid when saved; if a newer release rejects it, the shipped file applies
    and the log says so rather than every page failing.
    """
    memo = g.setdefault("trainer_config_docs", {}) if has_app_context() else {}
    if source.name in memo:
        return memo[source.name]
    cache = current_app.extensions.setdefault("trainer_config_docs", {})
    overrides = _overrides()
    override = overrides.get(source.name)
    version = _version(source, overrides)
    cached = cache.get(source.name)
    if cached is None or cached[0] != version:
        _PARSES[source.name] = _PARSES.get(source.name, 0) + 1
        shipped = source.shipped.read_text(encoding="utf-8")
        try:
            parsed = source.parse(override if override is not None else shipped)
        except ProblemsError:
            if override is None:
                raise
            log.error("saved %s no longer validates; using the shipped file", source.name)
            parsed = source.parse(shipped)
        cached = cache[source.name] = (version, parsed)
    memo[source.name] = cached[1]
    return cached[1]


def forget(name: str | None = None) -> None:
    """Drop the request's memo of the documents (after saving a new version of `name`).

    All of them go, since a document may depend on the one saved.
    """
    if has_app_context():
        g.pop("trainer_config_docs", None)
        g.pop("trainer_config_overrides", None)


def save_override(
    name: str, text: str, *, validate: Callable[[str], Any], actor: Any
) -> ConfigDocument:
    """Validate `text` (raises ProblemsError) and store it as the config in force; audited."""
    validate(text)
    document = get_override(name)
    before = {"content": document.content} if document else {"content": None}
    if document is None:
        document = ConfigDocument(name=name, content=text, updated_by_id=getattr(actor, "id", None))
        db.session.add(document)
    else:
        document.content = text
        document.updated_by_id = getattr(actor, "id", None)
        document.revision = ConfigDocument.revision + 1  # in SQL: concurrent saves both count
    db.session.flush()
    forget(name)
    _check_dependents(name)
    audit.record(actor, f"config.{name}.update", document, before=before, after={"content": text})
    return document


def _check_dependents(name: str) -> None:
    """Refuse a change that would invalidate a document reading this one (a level threshold on
    a retired KPI); the caller rolls the flushed change back."""
    for source in _DEPENDENTS:
        if not any(dep.name == name for dep in source.depends):
            continue
        text, _override = effective_text(source.name, source.shipped)
        try:
            source.parse(text)
        except ProblemsError as error:
            forget(name)
            raise ProblemsError(
                [
                    Problem.at(
                        1,
                        _(
                            "%(document)s would no longer be valid: %(problem)s",
                            document=source.label or source.name,
                            problem=problem.message,
                        ),
                    )
                    for problem in error.problems
                ]
            ) from error


def reset_override(name: str, *, actor: Any) -> bool:
    """Drop the admin's version so the shipped file applies again; audited. False if none."""
    document = get_override(name)
    if document is None:
        return False
    audit.record(
        actor, f"config.{name}.reset", document, before={"content": document.content}, after=None
    )
    db.session.delete(document)
    db.session.flush()
    forget(name)
    return True
