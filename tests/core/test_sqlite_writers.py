"""SQLite writers of one process take turns (core.sqlite_writers): with SQLite's own busy wait
switched off, concurrent write transactions still all succeed; reads never wait for a turn; a
turn ends with the transaction however it ends."""

import threading
import time

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from trainer.core.sqlite_writers import queue_writers

WRITERS = 6


def _engine(path):
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        # No busy wait: a writer that meets the lock fails at once with "database is locked".
        dbapi_connection.execute("PRAGMA journal_mode=wal")
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE saves (id INTEGER PRIMARY KEY, who INTEGER)"))
    return engine


def _write_concurrently(engine) -> list[Exception]:
    errors, start = [], threading.Barrier(WRITERS)

    def write(who: int) -> None:
        start.wait()
        try:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO saves (who) VALUES (:who)"), {"who": who})
                time.sleep(0.02)  # the write lock is held meanwhile
                conn.execute(text("UPDATE saves SET who = who WHERE who = :who"), {"who": who})
        except OperationalError as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_without_the_queue_concurrent_writers_collide(tmp_path):
    """The premise: with no busy wait and no queue, writers meet SQLite's lock."""
    engine = _engine(tmp_path / "plain.db")
    errors = _write_concurrently(engine)
    assert errors and "locked" in str(errors[0])


def test_queued_writers_all_succeed_one_after_another(tmp_path):
    engine = _engine(tmp_path / "queued.db")
    queue_writers(engine, wait_seconds=10)
    assert _write_concurrently(engine) == []
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM saves")) == WRITERS


def test_reads_do_not_wait_for_a_writers_turn(tmp_path):
    engine = _engine(tmp_path / "reads.db")
    queue = queue_writers(engine, wait_seconds=10)
    with engine.connect() as writer:
        writer.execute(text("INSERT INTO saves (who) VALUES (1)"))
        assert queue._lock.locked()
        with engine.connect() as reader:  # another connection reads meanwhile
            assert reader.scalar(text("SELECT count(*) FROM saves")) == 0
        writer.commit()
    assert not queue._lock.locked()


@pytest.mark.parametrize("ending", ["commit", "rollback", "error", "close"])
def test_the_turn_ends_with_the_transaction(tmp_path, ending):
    engine = _engine(tmp_path / f"{ending}.db")
    queue = queue_writers(engine, wait_seconds=10)
    conn = engine.connect()
    conn.execute(text("INSERT INTO saves (who) VALUES (1)"))
    assert queue._lock.locked()
    if ending == "commit":
        conn.commit()
    elif ending == "rollback":
        conn.rollback()
    elif ending == "error":
        with pytest.raises(OperationalError):
            conn.execute(text("INSERT INTO no_such_table VALUES (1)"))
        conn.rollback()
    conn.close()  # "close": returned to the pool with the transaction still open
    assert not queue._lock.locked()
    with engine.begin() as again:  # the next writer gets its turn at once
        again.execute(text("INSERT INTO saves (who) VALUES (2)"))
    assert not queue._lock.locked()


def test_a_thread_never_waits_for_its_own_turn(tmp_path):
    """A second connection of the thread that has the turn (a job run inline after a commit)
    writes at once once SQLite's own transaction is over, instead of waiting for itself."""
    engine = _engine(tmp_path / "self.db")
    queue = queue_writers(engine, wait_seconds=10)
    first = engine.connect()
    first.execute(text("SAVEPOINT outer_sp"))  # pysqlite: SQLite's transaction starts here…
    first.execute(text("INSERT INTO saves (who) VALUES (1)"))
    first.execute(text("RELEASE SAVEPOINT outer_sp"))  # …and is committed here
    assert queue._lock.locked()  # the driver does not know: the turn is still the first's
    started = time.monotonic()
    with engine.begin() as second:
        second.execute(text("INSERT INTO saves (who) VALUES (2)"))
    assert time.monotonic() - started < 5
    first.close()
    assert not queue._lock.locked()
