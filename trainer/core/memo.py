"""Reads memoised for one GET request, so that several home panels share what they all read.

A GET never writes (docs/architecture.md), so what a read returned at the start of the request
still holds at its end. Only a real GET or HEAD request being dispatched turns the memo on (a
`before_request` hook marks it); POSTs, commands, jobs and bare test request contexts, which may
write between two reads, always read afresh.
"""

from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import Flask, has_request_context, request

T = TypeVar("T")

_READ_ONLY = frozenset({"GET", "HEAD"})
_STORE = "trainer.request_memo"


def init_app(app: Flask) -> None:
    """Give every GET and HEAD request a memo of its own (kept in the request's environ)."""

    @app.before_request
    def _open_memo() -> None:
        if request.method in _READ_ONLY:
            request.environ[_STORE] = {}


def memo_active() -> bool:
    """Whether reads are memoised now (while a GET or HEAD request is being handled)."""
    return has_request_context() and _STORE in request.environ


def request_memo(key: Hashable, load: Callable[[], T]) -> T:
    """`load()` once per GET request for `key`; called every time elsewhere."""
    if not memo_active():
        return load()
    store = request.environ[_STORE]
    if key not in store:
        store[key] = load()
    return store[key]


def remember(key: Hashable, value: object) -> None:
    """Keep `value` for `key` for the rest of this GET request (a figure read along with another
    statement); nothing outside a GET, where `request_memo` reads afresh anyway."""
    if memo_active():
        request.environ[_STORE].setdefault(key, value)


def session_key(name: str, user_id: int | None = None) -> tuple:
    """The memo key of a figure read with the session's statement (accounts.read_with_session):
    per signed-in user, or `None` for one that is the same for everybody."""
    return ("session_read", name, user_id)
