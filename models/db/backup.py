"""Consistent copies of a project database: SQLite's online backup API for a SQLite project, a SQLite copy of
the whole database (`models.db.transfer`) for a project on a PostgreSQL server.

A plain file copy of a database in WAL mode can miss committed pages that are still in `-wal`, or catch a page
half-written; the backup API copies one consistent snapshot while other processes keep reading and writing. A
server's database is read in one REPEATABLE READ transaction, so its copy is one snapshot too.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from ..config import CONFIG_NAME, load_config
from ..errors import ConfigError, DatabaseError, TagdeskError, no_project

STEP_PAGES = 256  # pages copied per step of SQLite's backup (1 MB at 4 KB pages): progress and Cancel between steps
Progress = Callable[[int, int], None]  # (done, total): pages, or rows of a server's database
Stop = Callable[[], bool]


class BackupCancelledError(TagdeskError):
    """The back-up was stopped; nothing of it was kept."""

    def __init__(self) -> None:
        super().__init__("back-up cancelled; no copy was kept")


def describe_copy(path: Path) -> tuple[int, str | None]:
    """(documents, schema revision) of a Tagdesk database file; (0, None) where a table is missing."""
    con = sqlite3.connect(path)
    try:
        tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        docs = con.execute("SELECT count(*) FROM document").fetchone()[0] if "document" in tables else 0
        rev = (
            (con.execute("SELECT version_num FROM alembic_version").fetchone() or [None])[0]
            if "alembic_version" in tables
            else None
        )
        return docs, rev
    except sqlite3.Error as exc:
        raise DatabaseError(f"{path}: cannot read the copy ({exc})") from None
    finally:
        con.close()


def backup_sqlite(
    source: Path, dest: Path, *, on_progress: Progress | None = None, should_stop: Stop | None = None
) -> None:
    """Copy the SQLite database `source` to `dest` (replaced atomically; written as a single file, no -wal).

    The copy is one snapshot: a read transaction is held on the source for the whole backup, so other processes
    may write meanwhile without restarting it, and it goes in steps of `STEP_PAGES`, calling `on_progress(pages
    done, pages)` after each and stopping when `should_stop()` (BackupCancelledError). Raises `DatabaseError` when the
    source cannot be read or the copy cannot be written. Whatever happens, `dest` is either the whole copy or
    untouched, and no partial file stays behind.
    """
    source, dest = Path(source), Path(dest)
    if not source.is_file():
        raise DatabaseError(f"{source}: no database to back up")
    try:  # a name of its own beside the target: two copies at once never write into one file
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    except OSError as exc:
        raise DatabaseError(f"{dest}: cannot write the backup ({exc.strerror})") from None
    os.close(fd)
    tmp = Path(name)
    stopped = False

    def step(_status: int, remaining: int, total: int) -> None:
        nonlocal stopped
        if on_progress is not None:
            on_progress(total - remaining, total)
        if should_stop is not None and should_stop():
            stopped = True
            raise BackupCancelledError()

    try:
        src = sqlite3.connect(source, timeout=10.0, isolation_level=None)
        try:
            # the snapshot: every step reads from this read transaction, so a writer elsewhere cannot restart it
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
            out = sqlite3.connect(tmp)
            try:
                src.backup(out, pages=STEP_PAGES, progress=step)
                out.execute("PRAGMA journal_mode=DELETE")
                ok = out.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                out.close()
        finally:
            src.close()
        if ok != "ok":
            raise DatabaseError(f"{source}: the copy failed its integrity check ({ok}); the database may be damaged")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BackupCancelledError:
        raise
    except sqlite3.Error as exc:
        if stopped:  # the driver reports the abort of a backup whose progress callback raised as its own error
            raise BackupCancelledError() from None
        raise DatabaseError(f"{source}: cannot be backed up to {dest} ({exc})") from None
    except OSError as exc:
        raise DatabaseError(f"{dest}: cannot write the backup ({exc.strerror})") from None
    finally:
        tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class BackupResult:
    source: str  # what was copied: the SQLite file's name, or "database DB on HOST"
    path: Path
    documents: int
    revision: str | None


def database_url(folder: Path) -> str:
    """The database URL of the project in `folder` (without opening or migrating the database)."""
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such folder")
    if not (folder / CONFIG_NAME).exists():
        raise no_project(folder)
    config = load_config(folder / CONFIG_NAME)
    from ..project import resolve_database_url  # (models.project uses this module: imported here)

    return resolve_database_url(config.project.database_url, folder)


def database_file(folder: Path) -> Path | None:
    """The SQLite file of the project in `folder`; None when its database is on a server."""
    url = make_url(database_url(folder))
    if url.get_backend_name() != "sqlite":
        return None
    db = Path(url.database or "")
    if not db.exists():
        raise TagdeskError(f"{db}: no database yet (the project was never opened); nothing to back up")
    return db


def target(folder: Path, out: Path | None, *, stem: str = "tagdesk") -> Path:
    """Where a back-up goes: `out` (a file, or a folder for a dated file), else DIR/backups/STEM-DATE-TIME.sqlite."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    if out is None:
        out = folder / "backups"
    if out.is_dir() or out == folder / "backups":
        base = out / f"{stem}-{stamp}.sqlite"
        out, n = base, 2
        while out.exists():
            out, n = base.with_name(f"{stem}-{stamp}-{n}.sqlite"), n + 1
    elif out.exists():
        raise TagdeskError(f"{out}: already exists; choose another --out or remove it first")
    return out


def backup_project(
    folder: Path | str,
    out: Path | None = None,
    *,
    stem: str = "tagdesk",
    on_progress: Progress | None = None,
    should_stop: Stop | None = None,
) -> BackupResult:
    """`tagdesk backup` and the window's Back up: a consistent copy of the project's database as one SQLite file
    at `out` (default DIR/backups/STEM-DATE-TIME.sqlite), safe while the project is open and being annotated.
    A server's database is copied whole, event log included, at its own schema revision. `on_progress(done,
    total)` follows the copy; `should_stop()` cancels it (BackupCancelledError), leaving no file behind."""
    from .engine import make_engine, where
    from .transfer import copy_database

    folder = Path(folder)
    db = database_file(folder)
    path = target(folder, Path(out) if out else None, stem=stem)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TagdeskError(f"{path.parent}: cannot create the folder ({exc.strerror})") from None
    if db is not None:
        backup_sqlite(db, path, on_progress=on_progress, should_stop=should_stop)
        source = db.name
    else:
        engine = make_engine(database_url(folder))
        rows: dict[str, tuple[int, int]] = {}

        def copied(table: str, done: int, total: int) -> None:
            rows[table] = (done, total)
            if on_progress is not None:
                on_progress(sum(d for d, _t in rows.values()), sum(t for _d, t in rows.values()))
            if should_stop is not None and should_stop():
                raise BackupCancelledError()

        try:
            copy_database(engine, f"sqlite:///{path}", on_progress=copied)
            source = where(engine)
        finally:
            engine.dispose()
    if should_stop is not None and should_stop():  # cancelled as the last step ended: nothing is kept either
        path.unlink(missing_ok=True)
        raise BackupCancelledError()
    docs, rev = describe_copy(path)
    return BackupResult(source, path, docs, rev)
