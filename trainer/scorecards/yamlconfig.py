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
from trainer.extensions import db
from trainer.scorecards.models import ConfigDocument

Path_ = tuple[str | int, ...]


MAX_DEPTH = 50  # config files nest a handful of levels


class _Refused(Exception):
    """YAML we do not accept: anchors or aliases, or nesting deeper than MAX_DEPTH."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _StrictLoader(yaml.SafeLoader):
    """The safe loader minus anchors and aliases (no alias bombs, no cycles), depth capped."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(line, _("anchors and aliases (&name, *name) are not supported"))
        if self._depth >= MAX_DEPTH:
            raise _Refused(line, _("nested more than %(n)d levels deep", n=MAX_DEPTH))
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


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
        loader = _StrictLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except _Refused as error:
        raise ConfigError([ConfigProblem(error.line, error.message)]) from error
    except RecursionError as error:
        raise ConfigError([ConfigProblem(1, _("nested too deeply"))]) from error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise ConfigError(
            [ConfigProblem(line, _("YAML syntax: %(problem)s", problem=error.problem or ""))]
        ) from error
    except yaml.YAMLError as error:
        raise ConfigError(
            [ConfigProblem(1, _("YAML syntax: %(problem)s", problem=str(error)))]
        ) from error
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
