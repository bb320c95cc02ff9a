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


def test_writers_queue_for_their_turn_and_one_not_had_in_time_goes_without(project, monkeypatch):
    """SQLite's busy handler favours a writer that just arrived over one that has waited long; so writers take
    turns first (an exclusive lock on the database's folder) and only the one whose turn it is waits for SQLite."""
    database = str(project.database_path)
    turn = os.open(writers.turn_folder(database), os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(turn, fcntl.LOCK_EX)  # another writer's turn, held
    began = threading.Event()

    def write() -> None:
        with project.writing() as s:
            s.connection()  # BEGIN IMMEDIATE, once it is this writer's turn
            began.set()
            s.commit()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert not began.wait(0.5)  # the write lock is free, but it is not this writer's turn yet
        holder = sqlite3.connect(database, isolation_level=None, timeout=0)
        holder.execute("BEGIN IMMEDIATE")  # and it is not waiting in SQLite's busy handler meanwhile
        holder.execute("ROLLBACK")
        holder.close()
        fcntl.flock(turn, fcntl.LOCK_UN)
        assert began.wait(10)  # its turn: it begins at once
    finally:
        os.close(turn)
        writer.join(timeout=30)
    monkeypatch.setattr(writers, "TURN_WAIT_S", 0.3)
    turn = os.open(writers.turn_folder(database), os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(turn, fcntl.LOCK_EX)  # a turn never given back (its holder stopped): the writer goes without
    try:
        with project.writing() as s:
            s.connection()
            s.commit()
    finally:
        os.close(turn)
