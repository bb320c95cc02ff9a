"""Between its chunks an import sees whether a writer waits for SQLite's write lock, and then lets it in first."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

import pytest

from models.db import writers


def _someone_waits(database: str) -> bool:
    fd = os.open(writers.lock_file(database), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def test_a_writer_waiting_for_the_lock_is_seen_and_let_in_before_the_import_goes_on(project):
    database = str(project.database_path)
    assert writers.create(database)  # what the first import does
    holder = sqlite3.connect(database, isolation_level=None, timeout=10)
    holder.execute("BEGIN IMMEDIATE")  # the import's chunk holds the write lock
    release = threading.Event()
    done = threading.Event()

    def write() -> None:
        with project.writing() as s:
            s.connection()  # BEGIN IMMEDIATE: waits for the holder
            release.wait(30)
            s.commit()
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        deadline = time.monotonic() + 30
        while not _someone_waits(database):  # the writer announces itself while it waits
            assert time.monotonic() < deadline, "the waiting writer never took the shared lock"
            time.sleep(0.01)
        holder.execute("COMMIT")  # the chunk ends ...
        writers.yield_to_writers(database, limit=30, pause=0.0)  # ... and the import waits for the writer
        with pytest.raises(sqlite3.OperationalError, match="locked"):  # which has the lock now
            holder.execute("PRAGMA busy_timeout=0")
            holder.execute("BEGIN IMMEDIATE")
        assert not _someone_waits(database)
    finally:
        release.set()
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        writer.join(timeout=30)
        holder.close()
    assert done.is_set()


def test_nobody_waiting_leaves_the_lock_free_and_a_project_without_the_file_gets_none(project, tmp_path):
    database = str(project.database_path)
    with project.writing() as s:  # writers do not create the file
        s.connection()
    assert not os.path.exists(writers.lock_file(database))
    assert writers.create(database)
    with project.writing() as s:
        s.connection()
        assert not _someone_waits(database)  # a writer that has the lock holds no shared lock any more
    assert not writers.create(str(tmp_path / "missing" / "db.sqlite"))  # an unusable folder: the import pauses
