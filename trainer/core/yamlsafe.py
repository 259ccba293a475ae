"""The document loader: strict YAML with line numbers for everything users or admins upload
or edit (content, scenarios, config).

PyYAML's safe loader still expands anchors and aliases: a one-kilobyte "billion laughs" file
costs seconds of CPU, and a self-referencing alias makes recursive validators overflow. Our
formats never need either, so they are refused, nesting is capped and so is the size.
`load_document` returns the data with the file line of every key and list item, so checkers can
say `file:line: message` about any nested value.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from trainer.core.i18n import _, _l

MAX_DEPTH = 50  # our files nest a handful of levels
MAX_BYTES = 2 * 1024 * 1024  # the largest shipped document is a few kilobytes

Path = tuple[str | int, ...]

# PyYAML explains syntax errors in English; the usual ones in words for people who edit YAML in
# the browser (matched by the start of PyYAML's wording).
SYNTAX_PROBLEMS = (
    (
        "mapping values are not allowed here",
        _l("a “key: value” cannot start here (check the indentation, or quote the text)"),
    ),
    ("could not find expected ':'", _l("a colon (:) is missing after a key")),
    ("found character '\\t'", _l("tabs cannot indent YAML; use spaces")),
    ("expected <block end>", _l("the indentation does not line up with the lines above")),
    ("did not find expected key", _l("the indentation does not line up with the keys above")),
    ("did not find expected '-'", _l("the indentation does not line up with the list above")),
    ("expected ',' or ']'", _l("a list in [ ] is not closed, or a comma is missing")),
    ("expected ',' or '}'", _l("a mapping in { } is not closed, or a comma is missing")),
    ("found unexpected end of stream", _l("the text ends inside quotes; close them")),
    ("found unhashable key", _l("a key must be plain text")),
)


def syntax_message(problem: str) -> str:
    """PyYAML's description of a syntax error, in the user's language where we know it."""
    for start, message in SYNTAX_PROBLEMS:
        if problem.startswith(start):
            return str(message)
    return _("the text cannot be read as YAML here (%(detail)s)", detail=problem)


class DocumentError(ValueError):
    """A document that cannot be read: the file (when known), the 1-based line and a message
    in the user's language. `syntax` marks YAML syntax errors (vs refused anchors or depth)."""

    def __init__(
        self, line: int, message: str, *, syntax: bool = False, file: str | None = None
    ) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.syntax = syntax
        self.file = file

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file else f"line {self.line}"
        return f"{where}: {self.message}"


YamlRefused = DocumentError  # the name the first callers used


class StrictLoader(yaml.SafeLoader):
    """The safe loader minus anchors and aliases (no alias bombs, no cycles), depth capped."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise YamlRefused(line, _("anchors and aliases (&name, *name) are not supported"))
        if self._depth >= MAX_DEPTH:
            raise YamlRefused(line, _("nested more than %(n)d levels deep", n=MAX_DEPTH))
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def compose(text: str, loader_class: type[StrictLoader] = StrictLoader) -> tuple[Any, Any]:
    """Parse one document: (root node or None, data). Raises YamlRefused with a line number."""
    try:
        # The reader refuses control characters (\x00, \x01 …) as soon as it is built.
        loader = loader_class(text)
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, max(0, error.position)) + 1
        raise YamlRefused(
            line,
            _("control character %(code)s is not allowed", code=f"U+{error.character:04X}"),
            syntax=True,
        ) from error
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except RecursionError as error:
        raise YamlRefused(1, _("nested too deeply")) from error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlRefused(
            line, syntax_message(str(error.problem or error.context or error)), syntax=True
        ) from error
    except yaml.YAMLError as error:
        raise YamlRefused(1, str(error), syntax=True) from error
    finally:
        loader.dispose()
    return node, data


@dataclass
class Document:
    """Loaded YAML and the file line where each path (keys and list indexes) starts."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    duplicates: list[tuple[int, str]] = field(default_factory=list)  # (line, dotted key)
    offset: int = 0  # added to every line: front matter starts below the file's first line

    def line(self, *path: str | int) -> int:
        """File line of `path`, else of its nearest ancestor, else of the document's start."""
        path = tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1) + self.offset


def load_document(text: str, offset: int = 0, *, file: str | None = None) -> Document:
    """Parse one strict YAML document keeping line numbers; raises DocumentError."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise DocumentError(1 + offset, _("larger than %(n)d KB", n=MAX_BYTES // 1024), file=file)
    try:
        node, data = compose(text)
    except DocumentError as error:
        error.line += offset
        error.file = file
        raise
    document = Document(data=data, offset=offset)
    if node is not None:
        document.lines[()] = node.start_mark.line + 1
        for path, line, duplicate in _walk(node, ()):
            if duplicate:
                document.duplicates.append((line + offset, ".".join(str(p) for p in path)))
            document.lines.setdefault(path, line)
    return document


def _walk(node: yaml.Node, path: Path) -> Iterator[tuple[Path, int, bool]]:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            child = (*path, key)
            yield child, key_node.start_mark.line + 1, key in seen
            seen.add(key)
            yield from _walk(value_node, child)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            yield child, item.start_mark.line + 1, False
            yield from _walk(item, child)


def split_front_matter(text: str) -> tuple[str | None, int, str, int]:
    """(front matter, its first file line, body, the body's first file line).

    Front matter is the block between a first line `---` and the next line `---`; None when
    the text does not start with one. Raises DocumentError when it is never closed.
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, 1, text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n".join(lines[1:index]), 2, "\n".join(lines[index + 1 :]), index + 2
    raise DocumentError(1, _("The front matter opened on line 1 is never closed."))
