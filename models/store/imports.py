"""Import runs: a large import never holds the write lock for long, and users still see it whole or not at all.

An import registers a row in `import_run`, stores its documents in short transactions (chunks of bounded time;
after each one a waiting decision gets the lock first, `Chunks.next`), every row tagged with the run's id, and
publishes at the end: one row updated (and one `import_published` event, so other windows notice). Until then
every read that lists, counts, exports or suggests documents skips them (`published`). A run whose process died
or failed is removed with its rows (`remove_dead_imports`, on the next open). One import runs at a time (a
unique index on `import_run.running`): two runs could otherwise each take the other's texts for duplicates.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, delete, insert, or_, select, update
from sqlalchemy import exc as sa_exc
from sqlmodel import Session

from ..db import writers
from ..db.advice import BUSY_TIMEOUT_S
from ..db.dialect import is_postgresql, lock_event_log, unindex_for_search
from ..db.tables import ANNOTATION, CLAIM, DISMISSAL, DOCUMENT, EVENT, IMPORT_RUN, NOTE, SPAN, SUGGESTION, utcnow
from ..errors import TagdeskError

CHUNK_SECONDS = 0.5  # at most this long in one transaction (then commit)
# Where SQLite cannot say whether a writer waits (no lock file, see models/db/writers.py), the lock is left free
# this long after each chunk: its busy handler retries a waiting writer every 100 ms once it has waited a while,
# so a shorter pause could let the import take the lock back before it looks.
PAUSE_SECONDS = 0.12
YIELD_LIMIT_SECONDS = 1.0  # at most this long waiting, after a chunk, for the writers that wait to get the lock
STALE_AFTER = timedelta(minutes=10)  # a run whose heartbeat is older is dead, wherever it ran
REMOVE_BATCH = 900  # documents removed per transaction when a dead run is cleaned up (bound parameters)

_HOST = socket.gethostname()
_OURS: set[int] = set()  # runs this process has under way (its own failed runs are not "alive")


def published(document: Any = DOCUMENT) -> ColumnElement[bool]:
    """A condition on document rows: not part of an import that is still running (or died unpublished)."""
    running = select(IMPORT_RUN.c.id).where(IMPORT_RUN.c.running.is_not(None))
    return or_(document.c.import_id.is_(None), document.c.import_id.not_in(running))


def hidden_documents() -> Select[Any]:
    """The ids of documents of an import still under way (usually none)."""
    running = select(IMPORT_RUN.c.id).where(IMPORT_RUN.c.running.is_not(None))
    return select(DOCUMENT.c.id).where(DOCUMENT.c.import_id.in_(running))


def published_annotation(annotation: Any = ANNOTATION) -> ColumnElement[bool]:
    """A condition on annotation rows: not of a document of an import still under way."""
    condition: ColumnElement[bool] = annotation.c.document_id.not_in(hidden_documents())
    return condition


class ImportBusyError(TagdeskError):
    """Another import of this project is running."""


def begin_import(session: Session, *, source: str, annotator: str, wait: float | None = None) -> int:
    """Register a run (committed) and return its id. Removes dead runs first. While another live run is under
    way it waits for it, up to `wait` seconds (default: the busy timeout, as for the write lock: two desktops
    importing small files at once both get in), then raises ImportBusyError."""
    remove_dead_imports(session=session)
    deadline = time.monotonic() + (BUSY_TIMEOUT_S if wait is None else wait)
    while True:
        now = utcnow()
        try:
            result = session.connection().execute(
                insert(IMPORT_RUN),
                {
                    "source": source,
                    "annotator": annotator,
                    "started_at": now,
                    "heartbeat_at": now,
                    "published_at": None,
                    "running": 1,
                    "host": _HOST,
                    "pid": os.getpid(),
                },
            )
            session.commit()
            break
        except sa_exc.IntegrityError:
            session.rollback()
            if time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            other = session.connection().execute(select(IMPORT_RUN).where(IMPORT_RUN.c.running.is_not(None))).first()
            session.rollback()
            what = (
                f"{other.source or 'a file'}, started {other.started_at:%H:%M:%S}" if other is not None else "another"
            )
            raise ImportBusyError(
                f"another import into this project is running ({what}); wait until it has finished, then import again"
            ) from None
    key = result.inserted_primary_key
    assert key is not None
    run_id = int(key[0])
    _OURS.add(run_id)
    return run_id


def heartbeat(conn: Connection, run_id: int) -> None:
    """Say the run is alive, in the chunk's transaction; raises if it was removed meanwhile."""
    done = conn.execute(update(IMPORT_RUN).where(IMPORT_RUN.c.id == run_id).values(heartbeat_at=utcnow()))
    if done.rowcount != 1:
        raise TagdeskError(
            "this import was stopped: another Tagdesk took it for abandoned and removed it; import the file again"
        )


def publish(conn: Connection, run_id: int, *, annotator: str, payload: dict[str, Any]) -> None:
    """Make the run's documents visible (one row updated) and announce it, in the last chunk's transaction."""
    heartbeat(conn, run_id)
    now = utcnow()
    conn.execute(update(IMPORT_RUN).where(IMPORT_RUN.c.id == run_id).values(running=None, published_at=now))
    lock_event_log(conn)
    conn.execute(
        insert(EVENT),
        {
            "at": now,
            "annotator": annotator,
            "document_id": None,
            "action": "import_published",
            "payload": {**payload, "import_id": run_id},
        },
    )


def finished(run_id: int) -> None:
    _OURS.discard(run_id)


class Chunks:
    """Times a run's transactions: `due()` says when the current one has run long enough; `next()` commits it
    and lets the writers that wait for the lock in first.

    SQLite: a writer waiting for the lock holds a shared lock on a file beside the database while it waits
    (`models.db.writers`); after each commit the import waits until none is held, usually not at all. Before
    that file existed a writer could not announce itself, so the first chunk after creating it pauses, as
    every chunk does where the file cannot be used. PostgreSQL: no pause; a decision waits only for the locks
    the chunk holds (the event log's), and the server grants a lock to those queued for it in turn, so the
    waiting decision gets it before the import's next chunk does."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.seconds = CHUNK_SECONDS
        self.pause = PAUSE_SECONDS
        self.started = time.monotonic()
        self.commits = 0
        self.waited = 0.0  # seconds spent letting other writers in
        bind = session.get_bind()
        database = None if is_postgresql(bind) else bind.engine.url.database
        self.database = None if database in (None, "", ":memory:") else database  # in memory: no other process
        self.announced = self.database is not None and os.path.exists(writers.lock_file(self.database))
        if self.database is not None and not self.announced:
            writers.create(self.database)

    def due(self) -> bool:
        return time.monotonic() - self.started >= self.seconds

    def next(self) -> None:
        self.session.commit()
        self.commits += 1
        started = time.monotonic()
        if self.database is not None and not self.announced:
            time.sleep(self.pause)
            self.announced = True
        elif self.database is not None:
            writers.yield_to_writers(self.database, limit=YIELD_LIMIT_SECONDS, pause=self.pause)
        self.waited += time.monotonic() - started
        self.started = time.monotonic()


def _alive(row: Any, now: datetime) -> bool:
    beat = row.heartbeat_at if row.heartbeat_at.tzinfo else row.heartbeat_at.replace(tzinfo=now.tzinfo)
    if now - beat > STALE_AFTER:
        return False
    if row.host != _HOST:
        return True  # another machine's run: only its heartbeat can tell
    if row.pid == os.getpid():
        return row.id in _OURS
    try:
        os.kill(row.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_imports(*, session: Session) -> list[int]:
    """Ids of the unpublished runs whose process is gone (reads only)."""
    rows = session.connection().execute(select(IMPORT_RUN).where(IMPORT_RUN.c.running.is_not(None))).all()
    now = utcnow()
    return [int(row.id) for row in rows if not _alive(row, now)]


def remove_dead_imports(*, session: Session) -> int:
    """Remove every unpublished run whose process is gone, with its rows (in transactions of bounded size).
    Returns how many runs were removed."""
    dead = dead_imports(session=session)
    session.rollback()  # end the read: each removal takes the write lock for itself
    for run_id in dead:
        remove_import(session, run_id)
    return len(dead)


def remove_import(session: Session, run_id: int, *, on_batch: Callable[[int], None] | None = None) -> None:
    """Delete an unpublished run's documents and everything hanging off them, then the run; commits per batch.
    A published run is never removed."""
    conn = session.connection()
    run = conn.execute(select(IMPORT_RUN.c.running).where(IMPORT_RUN.c.id == run_id)).first()
    if run is None or run.running is None:
        session.commit()
        return
    while True:
        conn = session.connection()
        docs = conn.execute(
            select(DOCUMENT.c.id, DOCUMENT.c.text).where(DOCUMENT.c.import_id == run_id).limit(REMOVE_BATCH)
        ).all()
        if not docs:
            break
        ids = [int(d.id) for d in docs]
        unindex_for_search(conn, ((int(d.id), str(d.text)) for d in docs))
        conn.execute(delete(CLAIM).where(CLAIM.c.document_id.in_(ids)))
        anns = select(ANNOTATION.c.id).where(ANNOTATION.c.document_id.in_(ids))
        conn.execute(delete(SPAN).where(SPAN.c.annotation_id.in_(anns)))
        conn.execute(delete(DISMISSAL).where(DISMISSAL.c.annotation_id.in_(anns)))
        conn.execute(delete(NOTE).where(NOTE.c.annotation_id.in_(anns)))
        conn.execute(delete(EVENT).where(EVENT.c.document_id.in_(ids)))
        conn.execute(delete(SUGGESTION).where(SUGGESTION.c.document_id.in_(ids)))
        conn.execute(delete(ANNOTATION).where(ANNOTATION.c.document_id.in_(ids)))
        conn.execute(delete(DOCUMENT).where(DOCUMENT.c.id.in_(ids)))
        session.commit()
        if on_batch is not None:
            on_batch(len(ids))
    session.connection().execute(delete(IMPORT_RUN).where(IMPORT_RUN.c.id == run_id))
    session.commit()
    finished(run_id)
