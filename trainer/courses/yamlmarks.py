"""YAML with line numbers: the data plus the file line of every key and list item."""

from dataclasses import dataclass, field
from typing import Any

import yaml

from trainer.core.yamlsafe import YamlRefused, compose


class YamlProblem(ValueError):
    """Text that is not valid YAML; `line` is 1-based in the YAML text."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class MarkedYaml:
    """Loaded YAML and where each path (tuple of keys and indexes) starts in the file."""

    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)
    offset: int = 0  # added to every line: front matter starts below the file's first line

    def line(self, *path: Any) -> int:
        """File line of `path`, or of its nearest parent that has one."""
        path = tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1) + self.offset


def load_marked(text: str, offset: int = 0) -> MarkedYaml:
    """Parse one YAML document with the safe loader, keeping node marks (line numbers)."""
    try:
        node, data = compose(text)
    except YamlRefused as error:
        message = f"invalid YAML: {error.message}" if error.syntax else error.message
        raise YamlProblem(error.line + offset, message) from error
    marked = MarkedYaml(data=data, lines={(): 1}, offset=offset)
    if node is not None:
        _walk(node, (), marked.lines)
    return marked


def _walk(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            lines[path + (key,)] = key_node.start_mark.line + 1
            _walk(value_node, path + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            _walk(item, path + (index,), lines)


def split_front_matter(text: str) -> tuple[str | None, int, str, int]:
    """(front matter, its first file line, body, the body's first file line).

    Front matter is the block between a first line `---` and the next line `---`; None when
    the file does not start with one. Raises YamlProblem when it is never closed.
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, 1, text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n".join(lines[1:index]), 2, "\n".join(lines[index + 1 :]), index + 2
    raise YamlProblem(1, "front matter opened with --- on line 1 is never closed by a --- line")
