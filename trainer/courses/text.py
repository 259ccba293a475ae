"""`_` for messages that services raise: translated in a request, plain English elsewhere.

Services also run from the CLI (`flask content check`) and from tests, where there is no
request and so no locale; core's gettext needs one.
"""

from typing import Any

from flask import has_request_context

from trainer.core.i18n import _ as _translate


def _(message: str, **values: Any) -> str:
    """Translate `message` when a request chose a language; else format the English text."""
    if has_request_context():
        return _translate(message, **values)
    return message % values if values else message
