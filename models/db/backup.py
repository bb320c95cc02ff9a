"""Consistent copies of a SQLite project database with SQLite's online backup API.

A plain file copy of a database in WAL mode can miss committed pages that are still in `-wal`, or catch a page
half-written; the backup API copies one consistent snapshot while other processes keep reading and writing.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from ..errors import DatabaseError


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


def backup_sqlite(source: Path, dest: Path) -> None:
    """Copy the SQLite database `source` to `dest` (replaced atomically; written as a single file, no -wal).

    Raises `DatabaseError` when the source cannot be read or the copy cannot be written; `dest` is then untouched.
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
    try:
        src = sqlite3.connect(source, timeout=10.0)
        try:
            out = sqlite3.connect(tmp)
            try:
                src.backup(out)  # pages=-1: the whole snapshot in one step, so writers cannot restart it
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
    except sqlite3.Error as exc:
        raise DatabaseError(f"{source}: cannot be backed up to {dest} ({exc})") from None
    except OSError as exc:
        raise DatabaseError(f"{dest}: cannot write the backup ({exc.strerror})") from None
    finally:
        tmp.unlink(missing_ok=True)
