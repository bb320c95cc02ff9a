"""Writers of one SQLite database take turns for its write lock, and a long import yields it only when someone
waits.

SQLite's busy handler is not fair: a writer that has waited a while retries only every 100 ms, so one that just
arrived (retrying after 1, 2, 5 ms) takes the lock first, and with several desktops writing all the time one of
them can wait past the busy timeout and fail with "database is locked". So a writer first takes its turn: an
exclusive `flock` on the database's folder (no file of its own is left beside the project; SQLite locks the
database file with POSIX locks, never the folder), tried every `TURN_POLL_SECONDS` by every waiting writer alike
(no one backs off more than another), held only while its BEGIN IMMEDIATE waits, and given up once it has the
write lock.
Only the writer holding the turn waits in SQLite's busy handler; the others queue on the turn. A turn not had
within the busy timeout (its holder stopped, say) is gone without: BEGIN IMMEDIATE then waits as SQLite does.

SQLite does not say whether another connection waits for the lock: a waiting writer sleeps in its busy handler
and retries. So every write transaction holds a shared `flock` on a file beside the database (`<database>-writers`)
while its BEGIN IMMEDIATE waits, and lets go once it has the lock. An import, after committing a chunk, tries
that file's exclusive lock: it gets it at once when nobody waits (and goes on without a pause); otherwise it
waits, at most `limit` seconds, until the waiting writers have the write lock (their shared locks are gone).

The file is created by the first import (`create`), not by every writer: a project that never imported a large
file has none. Where it cannot be opened (a read-only folder, a file system without flock) writers skip it and
the import pauses after every chunk instead, as it would without this file. (SQLite itself needs a local disk
for the write-ahead log, so writers on other machines do not arise.)
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .advice import BUSY_TIMEOUT_S

SUFFIX = "-writers"
POLL_SECONDS = 0.005  # how often an import looks whether the waiting writers got in
TURN_POLL_SECONDS = 0.002  # how often a writer tries for its turn
TURN_WAIT_S = BUSY_TIMEOUT_S  # how long a writer waits for its turn before it waits in SQLite's way instead


def lock_file(database: str) -> str:
    return database + SUFFIX


def _open(database: str | None, *, create: bool = False) -> int | None:
    if not database or database == ":memory:":
        return None
    try:
        return os.open(lock_file(database), os.O_RDWR | (os.O_CREAT if create else 0) | os.O_CLOEXEC, 0o644)
    except OSError:
        return None


def create(database: str | None) -> bool:
    """Make sure the lock file exists; False when it cannot (then `yield_to_writers` pauses)."""
    fd = _open(database, create=True)
    if fd is None:
        return False
    os.close(fd)
    return True


def turn_folder(database: str) -> str:
    return os.path.dirname(os.path.abspath(database))


def _take_turn(database: str | None) -> int | None:
    """A descriptor of the database's folder holding the turn's exclusive lock; None where there is nothing to
    lock or the turn did not come within `TURN_WAIT_S`."""
    if not database or database == ":memory:":
        return None
    try:
        fd = os.open(turn_folder(database), os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None
    deadline = time.monotonic() + TURN_WAIT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                break
            time.sleep(TURN_POLL_SECONDS)
        except OSError:  # a file system without flock
            break
    os.close(fd)
    return None


@contextmanager
def waiting_to_write(database: str | None) -> Iterator[None]:
    """Around the wait for the write lock (BEGIN IMMEDIATE): the shared lock that tells a running import that a
    writer waits (taken first, so the import sees every writer queued for a turn), then this writer's turn."""
    fd = _open(database)
    if fd is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)  # only an import's brief look holds it exclusively
        except OSError:
            os.close(fd)
            fd = None
    turn = _take_turn(database)
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock
        if turn is not None:
            os.close(turn)  # the next writer's turn


def yield_to_writers(database: str | None, *, limit: float, pause: float) -> float:
    """Between an import's transactions: wait until no writer waits for the write lock (at most `limit`
    seconds), or sleep `pause` where the lock file cannot be used. Returns the seconds waited."""
    started = time.monotonic()
    fd = _open(database)
    if fd is None:
        time.sleep(pause)
        return time.monotonic() - started
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return time.monotonic() - started
            except BlockingIOError:
                if time.monotonic() - started >= limit:
                    return time.monotonic() - started
                time.sleep(POLL_SECONDS)
            except OSError:
                time.sleep(pause)
                return time.monotonic() - started
    finally:
        os.close(fd)
