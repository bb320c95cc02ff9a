"""Consistent copies of a SQLite project database with SQLite's online backup API.

A plain file copy of a database in WAL mode can miss committed pages that are still in `-wal`, or catch a page
half-written; the backup API copies one consistent snapshot while other processes keep reading and writing.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from ..config import CONFIG_NAME, load_config
from ..errors import ConfigError, DatabaseError, TagdeskError, no_project


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


@dataclass(frozen=True)
class BackupResult:
    source: Path
    path: Path
    documents: int
    revision: str | None


def database_file(folder: Path) -> Path:
    """The SQLite file of the project in `folder` (without opening or migrating it)."""
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such folder")
    if not (folder / CONFIG_NAME).exists():
        raise no_project(folder)
    config = load_config(folder / CONFIG_NAME)
    from ..project import resolve_database_url  # (models.project uses this module: imported here)

    url = make_url(resolve_database_url(config.project.database_url, folder))
    if url.get_backend_name() != "sqlite":
        raise TagdeskError(
            f"{folder}: the database is on a {url.get_backend_name()} server; back it up with that "
            "server's own tool (e.g. pg_dump)"
        )
    db = Path(url.database or "")
    if not db.exists():
        raise TagdeskError(f"{db}: no database yet (the project was never opened); nothing to back up")
    return db


def target(folder: Path, out: Path | None) -> Path:
    """Where a back-up goes: `out` (a file, or a folder for a dated file), else DIR/backups/tagdesk-DATE-TIME.sqlite."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    if out is None:
        out = folder / "backups"
    if out.is_dir() or out == folder / "backups":
        base = out / f"tagdesk-{stamp}.sqlite"
        out, n = base, 2
        while out.exists():
            out, n = base.with_name(f"tagdesk-{stamp}-{n}.sqlite"), n + 1
    elif out.exists():
        raise TagdeskError(f"{out}: already exists; choose another --out or remove it first")
    return out


def backup_project(folder: Path | str, out: Path | None = None) -> BackupResult:
    """`tagdesk backup` and the window's Back up: a consistent copy of the project's SQLite database at `out`
    (default DIR/backups/tagdesk-DATE-TIME.sqlite), safe while the project is open and being annotated."""
    folder = Path(folder)
    db = database_file(folder)
    path = target(folder, Path(out) if out else None)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TagdeskError(f"{path.parent}: cannot create the folder ({exc.strerror})") from None
    backup_sqlite(db, path)
    docs, rev = describe_copy(path)
    return BackupResult(db, path, docs, rev)
