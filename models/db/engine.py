"""Engines and migrations, for SQLite (one desktop) and PostgreSQL (a team's server).

PostgreSQL (`postgresql+psycopg://...`, psycopg 3): the server's own durability (every commit is flushed to its
WAL); READ COMMITTED transactions, with the rows a decision changes locked until it commits (see
`models.store.decisions`); a pooled connection the server dropped is replaced at the next use (pre-ping), so a
desktop carries on by itself after a server restart. What differs between the backends in SQL is in `dialect`;
what to tell the user when the database fails is in `advice`. A shared database is never migrated on open:
`tagdesk upgrade DIR` does it, after a backup.

SQLite settings (chosen for "an acknowledged decision survives a crash, even kill -9 or power loss"):
- WAL journal: readers never block the writer (two windows on one project), one fsync per commit. Where the
  file system refuses it (no shared memory), the rollback journal with synchronous=FULL, and a lasting notice
  (`durability_notice`); a connection that will not take synchronous=FULL is refused.
- synchronous=FULL: the WAL is synced at every commit, so a committed decision survives power loss too
  (NORMAL survives kill -9 but may lose the last commits on power loss).
- busy_timeout 10 s: a second process waits for the lock instead of failing with "database is locked".
- foreign_keys=ON; trusted_schema=OFF (a crafted file's triggers/views cannot call side-effect functions).
Write transactions start with BEGIN IMMEDIATE (see `models.store.writing`), so a writer takes the lock
before reading and never fails half-way with SQLITE_BUSY when another process wrote in between.

Cost per decision (span + annotation version + event, one commit), `python -m benchmarks.bench_decision`,
2026-11-27, ext4 on a virtual disk, SQLite 3.40.1, median of 3 x 300 (Tagdesk store / raw sqlite3, same SQL),
with the store's decision statements built once and run through SQLAlchemy Core:
    WAL + FULL      1.55 ms / 0.20 ms   <- chosen
    WAL + NORMAL    1.14 ms / 0.10 ms
    DELETE + FULL   1.89 ms / 0.55 ms   (rollback journal: 2.8x the raw cost of WAL + FULL)
FULL costs ~0.1-0.4 ms more than NORMAL here (0.9 ms on the earlier PERF-LIMITS run): nothing next to a
keystroke, so durability against power loss is worth it. WAL beats the rollback
journal per decision and lets a second window read while one writes (bulk imports are the exception, see
PERF-LIMITS.md, and they are rare).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect, make_url
from sqlalchemy.pool import StaticPool

from ..errors import DatabaseError, SchemaMismatchError
from . import writers

# Messages about database failures live in `advice` (as_user_error is imported from here by older callers).
from .advice import BUSY_TIMEOUT_S, as_user_error, short_reason
from .dialect import CASEFOLD_SQL, POSTGRESQL, is_search_table, lock_schema

__all__ = ["BUSY_TIMEOUT_S", "as_user_error", "make_engine", "short_reason", "upgrade_database"]

JOURNAL_MODE = "WAL"
SYNCHRONOUS = "FULL"
MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_WAIT_S = 600.0  # how long an opening waits for another process's migration to finish
CONNECT_TIMEOUT_S = 10
# libpq settings a project's URL may override: give up on a server that does not answer (a cut network would
# otherwise hang a decision for the kernel's TCP timeout, ~15 minutes), and name ourselves in pg_stat_activity.
_PG_CONNECT = {
    "connect_timeout": str(CONNECT_TIMEOUT_S),
    "tcp_user_timeout": str(CONNECT_TIMEOUT_S * 1000),
    "keepalives_idle": "30",
    "application_name": "tagdesk",
}


# ---------------------------------------------------------------------------------------------- engines
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


def _casefold(value: object) -> str | None:
    return None if value is None else str(value).casefold()


def _sqlite_begin(conn: Connection) -> None:
    if not conn.get_execution_options().get("tagdesk_immediate", False):
        conn.exec_driver_sql("BEGIN")
        return
    with writers.waiting_to_write(conn.engine.url.database):  # a running import lets this writer in
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | URL, *, journal_mode: str = JOURNAL_MODE, synchronous: str = SYNCHRONOUS) -> Engine:
    """An engine for `url`: SQLite (a file; `sqlite://` without a path is an in-memory database shared by all
    sessions, for tests) or PostgreSQL through psycopg 3 (`postgresql://` means `postgresql+psycopg://`).

    `journal_mode` and `synchronous` exist for the benchmark that justifies the SQLite defaults; keep them.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == POSTGRESQL:
        return _postgresql_engine(parsed)
    if parsed.get_backend_name() != "sqlite":
        raise DatabaseError(
            f"{parsed.render_as_string(hide_password=True)}: Tagdesk keeps projects in SQLite or PostgreSQL, "
            f"not {parsed.get_backend_name()}"
        )
    memory = parsed.database in (None, "", ":memory:")
    engine = create_engine(
        parsed,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S},
        poolclass=StaticPool if memory else None,
    )

    location = parsed.database or str(parsed)

    def on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        try:
            set_sqlite_pragmas(dbapi_conn, location, journal_mode=journal_mode, synchronous=synchronous)
        except DatabaseError:
            dbapi_conn.close()
            raise

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _postgresql_engine(url: URL) -> Engine:
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    connect_args = {k: v for k, v in _PG_CONNECT.items() if k not in url.query}
    # pre_ping: a connection the server dropped (restart, network) is replaced at the next checkout, so the
    # window reconnects by itself once the server is back.
    return create_engine(url, pool_pre_ping=True, pool_size=4, max_overflow=8, connect_args=connect_args)


def is_shared(engine: Engine | Connection) -> bool:
    """True for a database on a server (PostgreSQL): other desktops may be using it right now."""
    return engine.dialect.name == POSTGRESQL


def where(engine: Engine) -> str:
    """How messages name a project's database: the SQLite file, or `database DB on HOST` for a server."""
    url = engine.url
    if not is_shared(engine):
        return url.database or str(url)
    host: Any = url.host or url.query.get("host") or "the local server"
    if isinstance(host, tuple):
        host = host[0]
    return f"database {url.database or '(default)'} on {host}"


def ping(engine: Engine) -> bool:
    """True when the database answers (a server that was away is back)."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "not yet"
        return False


# ---------------------------------------------------------------------------------------------- schema
def _alembic_config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _script() -> Any:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config())


def head_revision() -> str:
    return str(_script().get_current_head())


def known_revisions() -> set[str]:
    return {rev.revision for rev in _script().walk_revisions()}


def current_revision(engine: Engine | Connection) -> str | None:
    """The database's schema revision; None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    if isinstance(engine, Connection):
        return MigrationContext.configure(engine).get_current_revision()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(conn: Connection, revision: str = "head") -> None:
    """Run the migrations up to `revision` in the caller's transaction (a copy is made at its source's revision)."""
    from alembic import command

    command.upgrade(_alembic_config(conn), revision)


def upgrade_database(
    engine: Engine,
    *,
    before_upgrade: Callable[[str], None] | None = None,
    shared_upgrade: bool = False,
    command_hint: str = "tagdesk upgrade DIR",
) -> str | None:
    """Bring the schema to the newest revision. Returns the revision it had before (None: new database).

    `before_upgrade(old_revision)` runs first when an existing database is about to be migrated (backups).
    A database made by a newer Tagdesk (unknown revision) is refused untouched. A shared (PostgreSQL) database
    at an older revision is migrated only with `shared_upgrade=True` (the `tagdesk upgrade` command, whose
    spelling `command_hint` gives): other desktops may be running the older Tagdesk on it right now. An empty
    one gets the schema created (under a lock, so two desktops creating it at once do it once).
    """
    deadline = time.monotonic() + MIGRATION_WAIT_S
    while True:
        try:
            old = current_revision(engine)
            break
        except Exception as exc:  # noqa: BLE001 - not a database, truncated, unreadable, read-only folder
            # another process migrating an old SQLite project holds its lock throughout (switching it to the
            # write-ahead log needs it too): wait for it as the migration itself would, then read again
            locked = not is_shared(engine) and "database is locked" in short_reason(exc)
            if not locked or time.monotonic() > deadline:
                raise as_user_error(exc, engine) from None
    head = head_revision()
    if old == head:
        return old
    if old is None and inspect_tables(engine):
        raise DatabaseError(f"{where(engine)}: has tables but no Tagdesk schema version; it is not a Tagdesk database")
    if old is not None and old not in known_revisions():
        if is_shared(engine):
            raise SchemaMismatchError(
                f"{where(engine)}: the shared database was upgraded by a newer Tagdesk (schema {old}; this one "
                f"knows up to {head}): install that Tagdesk on this desktop (pip install --upgrade tagdesk). "
                "Nothing was changed"
            )
        raise DatabaseError(
            f"{where(engine)}: made by a newer Tagdesk (schema {old}; this one knows up to "
            f"{head}); upgrade Tagdesk to open it. The file was not changed"
        )
    if old is not None and is_shared(engine) and not shared_upgrade:
        raise SchemaMismatchError(
            f"{where(engine)}: the shared database has schema {old} and this Tagdesk needs {head}; a shared "
            f"database is not upgraded on open (other desktops may be using it). When the team is ready, run: "
            f"{command_hint} (it writes a backup first). Nothing was changed"
        )
    # The migration runs under the write lock (SQLite: BEGIN IMMEDIATE, waiting up to MIGRATION_WAIT_S; PostgreSQL:
    # the schema lock), after reading the revision again: when two processes open an old project at once, the
    # second waits and finds it migrated.
    sqlite = not is_shared(engine)
    with engine.connect() as conn:
        if sqlite:
            _busy_timeout(conn, MIGRATION_WAIT_S)
            conn.execution_options(tagdesk_immediate=True)
        try:
            with conn.begin():
                lock_schema(conn)
                old = current_revision(conn)
                if old == head:
                    return old
                if old is not None and before_upgrade is not None:
                    before_upgrade(old)
                migrate(conn)
        finally:
            if sqlite:
                _busy_timeout(conn, BUSY_TIMEOUT_S)
    return old


def _busy_timeout(conn: Connection, seconds: float) -> None:
    """Set a SQLite connection's busy timeout outside any transaction (on the driver's connection)."""
    driver = conn.connection.dbapi_connection
    assert driver is not None
    driver.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")


def inspect_tables(engine: Engine | Connection) -> list[str]:
    """The database's tables (not Alembic's, not the search index's)."""
    return [t for t in inspect(engine).get_table_names() if t != "alembic_version" and not is_search_table(t)]


def schema_differences(conn: Connection, *, compare_type: bool = False) -> list[Any]:
    """What Alembic's autogenerate finds between the database and the table classes ([] when they agree).
    The search index's tables are not table classes (each backend has its own kind) and are left out."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    def include_name(name: str | None, type_: str, _parent: Any) -> bool:
        return not (type_ == "table" and name is not None and (is_search_table(name) or name == "alembic_version"))

    ctx = MigrationContext.configure(conn, opts={"compare_type": compare_type, "include_name": include_name})
    return list(compare_metadata(ctx, SQLModel.metadata))


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
