"""YAML out for scenarios (readable dumps); reading goes through the core document loader."""

from typing import Any

import yaml

from trainer.core.yamlsafe import Document, DocumentError, Path, load_document

# The scenario modules read documents through these names; they are the core loader's.
YamlSyntaxError = DocumentError


def load_with_lines(text: str) -> tuple[Any, dict[Path, int], list[tuple[int, str]]]:
    """Parse YAML with the core loader: the data, key path → line, and duplicate keys found."""
    document = load_document(text)
    return document.data, document.lines, document.duplicates


def line_of(lines: dict[Path, int], path: Path) -> int:
    """The line of `path`, or of its nearest ancestor that has one."""
    return Document(data=None, lines=lines).line(*path)


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
