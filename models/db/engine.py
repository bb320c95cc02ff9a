"""Engines and migrations.

SQLite settings (chosen for "an acknowledged decision survives a crash, even kill -9 or power loss"):
- WAL journal: readers never block the writer (two windows on one project), one fsync per commit. Where the
  file system refuses it (no shared memory), the rollback journal with synchronous=FULL, and a lasting notice
  (`durability_notice`); a connection that will not take synchronous=FULL is refused.
- synchronous=FULL: the WAL is synced at every commit, so a committed decision survives power loss too
  (NORMAL survives kill -9 but may lose the last commits on power loss).
- busy_timeout 10 s: a second process waits for the lock instead of failing with "database is locked".
- foreign_keys=ON; trusted_schema=OFF (a crafted file's triggers/views cannot call side-effect functions).
Write transactions start with BEGIN IMMEDIATE (see `models.store.writing`), so a writer takes the lock
before reading and never fails half-way with SQLITE_BUSY when another process wrote in between. Migrations
run under that lock too, after reading the revision again (two windows opening an old project migrate it once).

Cost per decision (span + annotation version + event, one commit), `python -m benchmarks.bench_decision`,
2026-11-27, ext4 on a virtual disk, SQLite 3.40.1, median of 3 x 300 (Tagdesk store / raw sqlite3, same SQL),
with the store's decision statements built once and run through SQLAlchemy Core:
    WAL + FULL      1.55 ms / 0.20 ms   <- chosen
    WAL + NORMAL    1.14 ms / 0.10 ms
    DELETE + FULL   1.89 ms / 0.55 ms   (rollback journal: 2.8x the raw cost of WAL + FULL)
FULL costs ~0.1-0.4 ms more than NORMAL here (0.9 ms in an earlier measurement): nothing next to a keystroke,
so durability against power loss is worth it. WAL beats the rollback journal per decision and lets a second
window read while one writes (one huge transaction commits slower in WAL; imports write in chunks anyway).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, String, create_engine, event, inspect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from ..errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

BUSY_TIMEOUT_S = 10.0
JOURNAL_MODE = "WAL"
SYNCHRONOUS = "FULL"
MIGRATIONS = Path(__file__).with_name("migrations")


_SYNCHRONOUS_LEVEL = {"OFF": 0, "NORMAL": 1, "FULL": 2, "EXTRA": 3}


def set_sqlite_pragmas(
    dbapi_conn: sqlite3.Connection,
    where: object,
    *,
    journal_mode: str = JOURNAL_MODE,
    synchronous: str = SYNCHRONOUS,
) -> str:
    """Make a new SQLite connection safe to write with; returns the journal mode in use.

    Where the file system refuses the write-ahead log (no shared memory: some network shares and virtual file
    systems), the rollback journal is used instead, with synchronous=FULL (`durability_notice` says so). If
    SQLite will not confirm the synchronous level, the connection is refused: decisions could be lost on a
    power failure without anyone knowing.
    """
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling defers it wrongly).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        # A project's database is data: triggers or views in a crafted file may not call side-effect functions.
        cur.execute("PRAGMA trusted_schema=OFF")
        mode = str(cur.execute(f"PRAGMA journal_mode={journal_mode}").fetchone()[0])
        if mode not in (journal_mode.lower(), "memory"):
            mode = str(cur.execute("PRAGMA journal_mode=DELETE").fetchone()[0])
            synchronous = "FULL"
        level = None
        try:
            cur.execute(f"PRAGMA synchronous={synchronous}")
            level = cur.execute("PRAGMA synchronous").fetchone()[0]
        except sqlite3.DatabaseError:
            pass
        if level != _SYNCHRONOUS_LEVEL[synchronous.upper()]:
            raise DatabaseError(
                f"{where}: SQLite does not accept synchronous={synchronous} for this database (it reports "
                f"{level}), so a saved decision could be lost on a power failure; refusing to open it. Move the "
                "project to a local disk"
            )
    finally:
        cur.close()
    # SQLite's lower() folds ASCII only ('É' stays 'É'): search folds case with Python's str.casefold instead.
    dbapi_conn.create_function(CASEFOLD_SQL, 1, _casefold, deterministic=True)
    return mode


def durability_notice(engine: Engine) -> str | None:
    """A lasting notice when the project cannot use the write-ahead log (None when it does, or is not SQLite)."""
    if engine.url.get_backend_name() != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    with engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    if mode in ("wal", "memory"):
        return None
    return (
        "This disk does not support SQLite's write-ahead log, so the project uses the rollback journal with "
        "synchronous=FULL: decisions are still saved safely, but more slowly, and two windows wait for each "
        "other. On a local disk the write-ahead log comes back."
    )


CASEFOLD_SQL = "tagdesk_casefold"


def _casefold(value: object) -> str | None:
    return None if value is None else str(value).casefold()


class casefold(FunctionElement[str]):  # noqa: N801 - reads like the SQL function it is
    """Unicode case folding in SQL: `tagdesk_casefold(x)` on SQLite (registered on every connection),
    `lower(x)` on other databases."""

    type = String()
    inherit_cache = True


@compiles(casefold)
def _casefold_default(element: casefold, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(casefold, "sqlite")
def _casefold_sqlite(element: casefold, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{CASEFOLD_SQL}({compiler.process(element.clauses, **kw)})"


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("tagdesk_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, *, journal_mode: str = JOURNAL_MODE, synchronous: str = SYNCHRONOUS) -> Engine:
    """An engine for `url`. `sqlite://` (no path) is an in-memory database shared by all sessions (tests).

    `journal_mode` and `synchronous` exist for the benchmark that justifies the defaults; keep the defaults.
    """
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S},
            poolclass=StaticPool if memory else None,
        )

        where = engine.url.database or url

        def on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            try:
                set_sqlite_pragmas(dbapi_conn, where, journal_mode=journal_mode, synchronous=synchronous)
            except DatabaseError:
                dbapi_conn.close()
                raise

        event.listen(engine, "connect", on_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision; None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


MIGRATION_WAIT_S = 600.0  # how long an opening waits for another process's migration to finish


def upgrade_database(engine: Engine, *, before_upgrade: Callable[[str], None] | None = None) -> str | None:
    """Bring the schema to the newest revision. Returns the revision it had before (None: new database).

    `before_upgrade(old_revision)` runs first when an existing database is about to be migrated (backups).
    A database made by a newer Tagdesk (unknown revision) is refused untouched. The migration runs under the
    write lock, after reading the revision again: when two processes open an old project at once, the second
    waits and finds it migrated.
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    try:
        old = current_revision(engine)
    except Exception as exc:  # noqa: BLE001 - not a database, truncated, unreadable, read-only folder
        raise as_user_error(exc, engine) from None
    head = head_revision()
    if old == head:
        return old
    sqlite = engine.url.get_backend_name() == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            _busy_timeout(conn, MIGRATION_WAIT_S)
            conn.execution_options(tagdesk_immediate=True)  # BEGIN IMMEDIATE: the write lock first
        try:
            with conn.begin():
                old = MigrationContext.configure(conn).get_current_revision()
                if old == head:
                    return old  # another process migrated it while this one waited
                _refuse_foreign(engine, conn, old, head)
                if old is not None and before_upgrade is not None:
                    before_upgrade(old)
                command.upgrade(_alembic_config(conn), "head")
        finally:
            if sqlite:
                _busy_timeout(conn, BUSY_TIMEOUT_S)
    return old


def _busy_timeout(conn: Connection, seconds: float) -> None:
    """Set a SQLite connection's busy timeout outside any transaction (on the driver's connection)."""
    driver = conn.connection.dbapi_connection
    assert driver is not None
    driver.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")


def _refuse_foreign(engine: Engine, conn: Connection, old: str | None, head: str) -> None:
    if old is None and [t for t in inspect(conn).get_table_names() if t != "alembic_version"]:
        raise DatabaseError(
            f"{engine.url.database}: has tables but no Tagdesk schema version; it is not a Tagdesk database"
        )
    if old is not None and old not in _known_revisions():
        raise DatabaseError(
            f"{engine.url.database}: made by a newer Tagdesk (schema {old}; this one knows up to "
            f"{head}); upgrade Tagdesk to open it. The file was not changed"
        )


def integrity_problems(engine: Engine, *, limit: int = 20) -> list[str]:
    """What SQLite's own checks find wrong with the database file: `PRAGMA integrity_check` (pages, indexes,
    constraints) and `PRAGMA foreign_key_check`; [] when both are clean. Other databases check their own storage."""
    if engine.url.get_backend_name() != "sqlite":
        return []
    from sqlalchemy import exc as sa_exc

    try:
        with engine.connect() as conn:
            found = [row[0] for row in conn.exec_driver_sql(f"PRAGMA integrity_check({int(limit)})")]
            problems = [] if found == ["ok"] else found
            for table, rowid, parent, _fk in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchmany(limit):
                problems.append(f"row {rowid} of {table} points to a missing row of {parent}")
    except sa_exc.DatabaseError as exc:  # too damaged for the check itself to finish
        return [short_reason(exc)]
    return problems


def short_reason(exc: BaseException) -> str:
    """The driver's own one-line message for a database exception (no SQL, no links)."""
    orig = getattr(exc, "orig", None) or exc
    return str(orig).splitlines()[0] if str(orig) else orig.__class__.__name__


def inspect_tables(engine: Engine) -> list[str]:
    return [t for t in inspect(engine).get_table_names() if t != "alembic_version"]


# What SQLite says -> what the user should do. The first match wins; the change in progress was rolled back.
_ADVICE = [
    (
        "database or disk is full",
        "the disk is full (or the database reached its size limit): this change was NOT "
        "saved, everything saved before is intact; free some disk space, then redo it",
    ),
    (
        "readonly database",
        "the database or its folder is read-only (Tagdesk writes a journal beside the file): "
        "changes cannot be saved; make both writable (chmod u+w), or work on a copy of the "
        "project",
    ),
    (
        "unable to open database file",
        "cannot open the database: its folder must be writable (Tagdesk keeps a "
        "journal beside it); make the folder writable or copy the project elsewhere",
    ),
    (
        "database is locked",
        f"another program held the project's write lock for more than {BUSY_TIMEOUT_S:.0f} s: "
        "this change was NOT saved; close the other program (or wait), then redo it",
    ),
    (
        "disk i/o error",
        "the disk reported an error: this change was NOT saved; check the disk, then reopen the project",
    ),
    (
        "malformed",
        "cannot be read: the database file is damaged (truncated or overwritten); restore it from a "
        "backup (a tagdesk.sqlite.bak-* file beside it, or your own) or move it away to start anew",
    ),
    (
        "not a database",
        "cannot be read: this file is not a SQLite database; restore it from a backup (a "
        "tagdesk.sqlite.bak-* file beside it, or your own) or move it away to start anew",
    ),
]


def as_user_error(exc: BaseException, engine: Engine) -> DatabaseError:
    """A `DatabaseError` that says what went wrong with the project's database and what to do."""
    reason = short_reason(exc)
    where = engine.url.database or str(engine.url)
    for needle, advice in _ADVICE:
        if needle in reason.lower():
            return DatabaseError(f"{where}: {advice} (SQLite: {reason})")
    return DatabaseError(f"{where}: database error, this change was NOT saved ({reason})")
