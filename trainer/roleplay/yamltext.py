"""YAML in and out for scenarios: parsing that remembers line numbers, and readable dumps."""

from collections.abc import Iterator
from typing import Any

import yaml

from trainer.core.yamlsafe import YamlRefused, compose

Path = tuple[str | int, ...]


class YamlSyntaxError(ValueError):
    """The text is not valid YAML; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_with_lines(text: str) -> tuple[Any, dict[Path, int], list[tuple[int, str]]]:
    """Parse YAML; return the data, a map from key path to line, and duplicate keys found.

    Line numbers let validation say `file:line: message` about any nested value.
    """
    try:
        node, data = compose(text)
    except YamlRefused as error:
        raise YamlSyntaxError(error.line, error.message) from error
    lines: dict[Path, int] = {}
    duplicates: list[tuple[int, str]] = []
    if node is not None:
        lines[()] = node.start_mark.line + 1
        for path, line, duplicate in _walk(node, ()):
            if duplicate:
                duplicates.append((line, ".".join(str(p) for p in path)))
            lines.setdefault(path, line)
    return data, lines, duplicates


def _walk(node: yaml.Node, path: Path) -> Iterator[tuple[Path, int, bool]]:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            child = (*path, key)
            yield child, key_node.start_mark.line + 1, key in seen
            seen.add(key)
            yield from _walk(value_node, child)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            yield child, item.start_mark.line + 1, False
            yield from _walk(item, child)


def line_of(lines: dict[Path, int], path: Path) -> int:
    """The line of `path`, or of its nearest ancestor that has one."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get((), 1)


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line strings as literal blocks, short lists of scalars inline."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write them by hand.
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _list(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    flow = bool(value) and all(
        isinstance(v, str | int | float) and not (isinstance(v, str) and "\n" in v) for v in value
    )
    flow = flow and sum(len(str(v)) for v in value) < 60
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _inline(value) -> bool:
    if isinstance(value, str):
        return "\n" not in value
    if isinstance(value, list):
        return all(isinstance(v, str | int | float) and "\n" not in str(v) for v in value)
    return isinstance(value, int | float | bool)


def _dict(dumper: yaml.SafeDumper, value: dict) -> yaml.MappingNode:
    # Small dicts of scalars (titles, conditions, checks) read best on one line.
    flow = (
        bool(value)
        and len(value) <= 3
        and all(_inline(v) for v in value.values())
        and sum(len(str(k)) + len(str(v)) for k, v in value.items()) < 70
    )
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=flow)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)
_Dumper.add_representer(dict, _dict)


def dump(data: Any) -> str:
    """YAML text for `data`, keeping key order and Chinese characters as they are."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )
