"""Engines and migrations.

SQLite settings (chosen for "an acknowledged decision survives a crash, even kill -9 or power loss"):
- WAL journal: readers never block the writer (two windows on one project), one fsync per commit.
- synchronous=FULL: the WAL is synced at every commit, so a committed decision survives power loss too.
  Measured cost per decision is a few ms (see benchmarks/bench_decision.py), far below a keystroke.
- busy_timeout 10 s: a second process waits for the lock instead of failing with "database is locked".
- foreign_keys=ON.
Write transactions start with BEGIN IMMEDIATE (see `models.store.writing`), so a writer takes the lock
before reading and never fails half-way with SQLITE_BUSY when another process wrote in between.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.pool import StaticPool

from ..errors import DatabaseError

BUSY_TIMEOUT_S = 10.0
MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling defers it wrongly).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    mode = cur.execute("PRAGMA journal_mode=WAL").fetchone()
    if mode and mode[0] == "wal":
        cur.execute("PRAGMA synchronous=FULL")
    cur.close()


def _sqlite_begin(conn) -> None:
    immediate = conn.get_execution_options().get("tagdesk_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for `url`. `sqlite://` (no path) is an in-memory database shared by all sessions (tests)."""
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S},
            poolclass=StaticPool if memory else None,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision; None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_database(engine: Engine, *, before_upgrade=None) -> str | None:
    """Bring the schema to the newest revision. Returns the revision it had before (None: new database).

    `before_upgrade(old_revision)` runs first when an existing database is about to be migrated (backups).
    """
    from alembic import command

    try:
        old = current_revision(engine)
    except Exception as exc:  # not a database, truncated, unreadable
        raise DatabaseError(f"{engine.url.database}: cannot be read as a SQLite database ({exc.__class__.__name__}: "
                            f"{exc}); restore it from a backup or move it away to start a new one") from None
    head = head_revision()
    if old == head:
        return old
    if old is None and inspect_tables(engine):
        raise DatabaseError(f"{engine.url.database}: has tables but no Tagdesk schema version; "
                            "it is not a Tagdesk database")
    if old is not None and before_upgrade is not None:
        before_upgrade(old)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    return old


def inspect_tables(engine: Engine) -> list[str]:
    return [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
