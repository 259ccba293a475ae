"""Input hygiene applied to every request, so each feature need not repeat it.

- `<int:…>` URL ids are capped at the 64-bit range: a larger number is simply "not found",
  rather than an overflow in the database driver.
- JSON bodies must be valid Unicode: `"\\ud800"` (a lone UTF-16 surrogate) parses in Python but
  cannot be stored or rendered, so it is refused as a bad request before any view sees it.
- JSON nested deeper than the parser's recursion limit (`[[[[…]]]]` 100,000 levels) is a bad
  request too, not a RecursionError (a 500).
"""

from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1
MAX_PAGE = 100_000


class BoundedIntegerConverter(IntegerConverter):
    """`int` URL converter that matches only values a BIGINT column can hold."""

    def __init__(self, map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, refusing documents with unpaired surrogates."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            data = super().loads(s, **kwargs)
        except RecursionError as error:
            # Flask answers a ValueError from the JSON provider with 400 Bad Request.
            raise ValueError("JSON nested too deeply") from error
        _check_unicode(data)
        return data


def _check_unicode(value: Any, depth: int = 0) -> None:
    if depth > 64:
        raise ValueError("JSON nested too deeply")
    if isinstance(value, str):
        value.encode("utf-8")  # UnicodeEncodeError (a ValueError) on a lone surrogate
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_unicode(key, depth + 1)
            _check_unicode(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_unicode(item, depth + 1)


def page_number(raw: Any) -> int:
    """A `?page=` value as a page number between 1 and MAX_PAGE (bad input → page 1)."""
    try:
        return min(max(1, int(raw)), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def init_app(app: Flask) -> None:
    """Install the converter and JSON provider; call before blueprints add their rules."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.json_provider_class = StrictJSONProvider
    app.json = StrictJSONProvider(app)
