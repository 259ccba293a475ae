"""Strict YAML parsing for everything users or admins upload or edit (content, scenarios, config).

PyYAML's safe loader still expands anchors and aliases: a one-kilobyte "billion laughs" file
costs seconds of CPU, and a self-referencing alias makes recursive validators overflow. Our
formats never need either, so they are refused, and nesting is capped.
"""

from typing import Any

import yaml

from trainer.core.i18n import _

MAX_DEPTH = 50  # our files nest a handful of levels


class YamlRefused(ValueError):
    """YAML that cannot be read: `syntax` errors, or refused anchors, aliases or depth."""

    def __init__(self, line: int, message: str, *, syntax: bool = False) -> None:
        super().__init__(message)
        self.line = line  # 1-based
        self.message = message
        self.syntax = syntax


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
            line, str(error.problem or error.context or error), syntax=True
        ) from error
    except yaml.YAMLError as error:
        raise YamlRefused(1, str(error), syntax=True) from error
    finally:
        loader.dispose()
    return node, data
