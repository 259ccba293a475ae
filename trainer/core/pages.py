"""Cursor pages over an ordered list: `?after=<id of the last row seen>` gives the next page.

A cursor names a row, not a position, so a page does not shift when rows before it come or go
between two clicks (an offset would repeat or skip rows). A cursor no longer in the list, or
that of the last row, starts again at the top.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class CursorPage(Generic[T]):
    """A window of a list and the cursor of the next one (None on the last page)."""

    entries: list[T]
    first: int  # position of the first entry, from 1
    total: int
    next_after: int | None

    @property
    def last(self) -> int:
        return self.first + len(self.entries) - 1


def page_after(
    items: Sequence[T], key: Callable[[T], int], after: int | None, size: int
) -> CursorPage[T]:
    """The `size` items that follow the one whose `key` is `after` (from the top without one)."""
    begin = 0
    if after is not None:
        found = next((n for n, item in enumerate(items) if key(item) == after), None)
        begin = 0 if found is None or found + 1 >= len(items) else found + 1
    chunk = list(items[begin : begin + size])
    more = begin + size < len(items)
    return CursorPage(
        entries=chunk,
        first=begin + 1,
        total=len(items),
        next_after=key(chunk[-1]) if chunk and more else None,
    )
