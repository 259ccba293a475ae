"""Writers to one SQLite file take turns in a queue instead of SQLite's busy loop.

SQLite lets one transaction write at a time. A second writer that finds the lock taken sleeps in
SQLite's busy handler (1, 2, 5, 10 … 100 ms) and tries again, with no order among the waiters:
with twenty agents saving answers at once a writer can lose turn after turn while the lock sits
free between its naps (the long tail of quiz start and submit under load). Here the threads of
a process wait for a lock instead, from a connection's first write statement until its commit or
rollback, and are woken the moment it is free; only one writer per process meets SQLite's own
lock (processes still share the file through SQLite's busy timeout).

Reads never queue (WAL readers work beside the writer), and the driver opens a transaction only
at a connection's first write, so a queued writer holds no stale read snapshot. A writer that
waits longer than the busy timeout goes on without its turn, as before this queue, so a
connection that somehow never ends its transaction slows writers down instead of stopping them.
"""

import logging
import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriterQueue:
    """One turn to write at a time among a process's connections to one SQLite file."""

    def __init__(self, wait_seconds: float) -> None:
        self.wait_seconds = wait_seconds
        self._lock = threading.Lock()
        self._holder: int | None = None  # id() of the DBAPI connection whose turn it is
        self._thread: int | None = None  # the thread that took it

    def take(self, connection: Any) -> None:
        """Wait for the turn of `connection` (nothing to do if it has it already)."""
        key = _key(connection)
        if self._holder == key:
            return
        if self._thread == threading.get_ident():
            # This thread's other connection has the turn (a job run inline after a commit, a
            # savepoint's RELEASE that already ended SQLite's transaction): waiting would be
            # waiting for itself, so SQLite's own lock decides, as without the queue.
            return
        if self._lock.acquire(timeout=self.wait_seconds):
            self._holder, self._thread = key, threading.get_ident()
        else:
            log.warning("SQLite writer waited %ss for its turn; going on", self.wait_seconds)

    def give_back(self, connection: Any) -> None:
        """End the turn of `connection`, if it has it (after its commit or rollback)."""
        if self._holder == _key(connection):
            self._holder = self._thread = None
            self._lock.release()


def _key(connection: Any) -> int:
    """The DBAPI connection's identity, given it or the pool's wrapper around it."""
    return id(getattr(connection, "dbapi_connection", connection))


def queue_writers(engine: Engine, wait_seconds: float) -> WriterQueue:
    """Make the writers on `engine` (a SQLite engine) take turns; returns the queue."""
    queue = WriterQueue(wait_seconds)
    dialect = engine.dialect

    @event.listens_for(engine, "before_cursor_execute")
    def _take_turn(conn, _cursor, statement, _parameters, _context, _many) -> None:
        if statement.lstrip()[:7].upper().startswith(WRITES):
            queue.take(conn.connection)

    # The turn ends once the transaction has really ended, whichever way it ends: the dialect's
    # commit, rollback (also the pool's reset when a connection is returned) or close.
    for name in ("do_commit", "do_rollback", "do_close", "do_terminate"):
        end = getattr(dialect, name)

        def ended(dbapi_connection, end=end) -> None:
            try:
                end(dbapi_connection)
            finally:
                queue.give_back(dbapi_connection)

        setattr(dialect, name, ended)
    return queue
