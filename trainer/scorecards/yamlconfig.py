"""YAML config files with line numbers for every value, and admins' overrides stored in the DB.

The KPI catalogue and the certification levels ship as YAML files next to their code; an admin
may save an edited copy, validated first, which then replaces the shipped file.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from trainer.core import audit
from trainer.core.i18n import _
from trainer.core.yamlsafe import YamlRefused, compose
from trainer.extensions import db
from trainer.scorecards.models import ConfigDocument

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a config file, at a line."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ConfigError(ValueError):
    """A config file that does not validate; `problems` carry line numbers."""

    def __init__(self, problems: list[ConfigProblem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class Lines:
    """Line numbers of the values in a YAML document, by path of keys and indexes."""

    def __init__(self, lines: dict[Path_, int]):
        self._lines = lines

    def of(self, *path: str | int) -> int:
        """The line of the value at `path`, else of its nearest ancestor, else 1."""
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return self._lines.get((), 1)


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _walk(value, (*path, str(key.value)), lines)
            lines[(*path, str(key.value))] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def load_yaml(text: str) -> tuple[Any, Lines]:
    """Parse YAML text into data plus line numbers; a syntax error becomes a ConfigError."""
    try:
        node, data = compose(text)
    except YamlRefused as error:
        message = (
            _("YAML syntax: %(problem)s", problem=error.message) if error.syntax else error.message
        )
        raise ConfigError([ConfigProblem(error.line, message)]) from error
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return data, Lines(lines)


def shipped_text(path: Path) -> str:
    """The shipped config file's text."""
    return path.read_text(encoding="utf-8")


def get_override(name: str) -> ConfigDocument | None:
    """The admin's saved version of config `name`, if any."""
    return db.session.scalar(db.select(ConfigDocument).where(ConfigDocument.name == name))


def effective_text(name: str, shipped: Path) -> tuple[str, ConfigDocument | None]:
    """The text in force (the admin's version, else the shipped file) and the override row."""
    override = get_override(name)
    return (override.content if override else shipped_text(shipped)), override


def save_override(
    name: str, text: str, *, validate: Callable[[str], Any], actor: Any
) -> ConfigDocument:
    """Validate `text` (raises ConfigError) and store it as the config in force; audited."""
    validate(text)
    document = get_override(name)
    before = {"content": document.content} if document else {"content": None}
    if document is None:
        document = ConfigDocument(name=name, content=text, updated_by_id=getattr(actor, "id", None))
        db.session.add(document)
    else:
        document.content = text
        document.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor, f"config.{name}.update", document, before=before, after={"content": text})
    return document


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
    return True
