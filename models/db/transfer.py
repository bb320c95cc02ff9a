"""Copying a whole project database to another backend: SQLite to PostgreSQL and back, backups of a server.

`copy_database(source, target)` reads one consistent snapshot of the source (a read transaction on SQLite, a
REPEATABLE READ one on PostgreSQL, so writers carry on meanwhile), creates the schema in the empty target at the
source's revision, copies every table with its ids (the event log included), rebuilds the search index, moves
the target's id sequences past the copied ids and compares the row counts. The target is written in one
transaction: a failure leaves it empty. A SQLite target is written to a temporary file renamed into place at the
end (a single file, no -wal), so a half-made copy never has the final name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Connection, DateTime, Engine, MetaData, Table, func, make_url, select

from ..errors import DatabaseError
from .dialect import SEARCH_WATERMARK, is_postgresql, is_search_table, rebuild_search_index, reset_sequences
from .engine import (
    as_user_error,
    current_revision,
    head_revision,
    inspect_tables,
    known_revisions,
    make_engine,
    migrate,
    where,
)
from .password import log_in

BATCH = 5000
Progress = Callable[[str, int, int], None]  # (table, rows copied, rows in the table)


@dataclass
class CopyResult:
    revision: str
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied

    def summary(self) -> str:
        shown = {k: v for k, v in self.rows.items() if k in ("document", "annotation", "span", "event")}
        return ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in shown.items())


def _columns_as(target: Connection, table: Table) -> Callable[[Any], dict[str, Any]]:
    """A row of the source turned into the values the target's bulk insert takes (JSON as text, times in UTC)."""
    names = [c.name for c in table.columns]
    json_cols = {c.name for c in table.columns if isinstance(c.type, JSON)}
    time_cols = {c.name for c in table.columns if isinstance(c.type, DateTime)}
    to_text = not is_postgresql(target)

    def convert(row: Any) -> dict[str, Any]:
        out = dict(zip(names, row, strict=True))
        for name in json_cols:  # read as Python values (a JSON string is a str too): written back as JSON text
            out[name] = json.dumps(out[name], ensure_ascii=False)
        for name in time_cols:
            value = out[name]
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
            if isinstance(value, datetime):
                value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
                # SQLite keeps the UTC wall time as SQLAlchemy writes it (no offset), so text compares in order
                out[name] = value.strftime("%Y-%m-%d %H:%M:%S.%f") if to_text else value
        return out

    return convert


def _tables(conn: Connection) -> list[Table]:
    meta = MetaData()
    meta.reflect(conn)
    return [t for t in meta.sorted_tables if t.name != "alembic_version" and not is_search_table(t.name)]


def _copy_rows(source: Connection, target: Connection, on_progress: Progress | None) -> dict[str, int]:
    from .dialect import bulk_insert

    counts: dict[str, int] = {}
    source_tables = {t.name: t for t in _tables(source)}
    for table in _tables(target):  # parents before children (foreign keys)
        src = source_tables.get(table.name)
        if src is None:
            raise DatabaseError(f"the source has no table {table.name} although its schema revision should")
        cols = [src.c[c.name] for c in table.columns]
        total = source.execute(select(func.count()).select_from(src)).scalar_one()
        convert = _columns_as(target, table)
        done, last = 0, None
        while True:
            stmt = select(*cols)
            if "id" in src.c:  # keyset pages by id
                stmt = stmt.order_by(src.c.id).limit(BATCH)
                if last is not None:
                    stmt = stmt.where(src.c.id > last)
            rows = source.execute(stmt).all()
            if not rows:
                break
            bulk_insert(target, table, [convert(r) for r in rows])
            done += len(rows)
            if on_progress:
                on_progress(table.name, done, total)
            if "id" not in src.c:
                break
            last = rows[-1][[c.name for c in table.columns].index("id")]
        counts[table.name] = done
    return counts


def copy_database(source: Engine, target_url: str, *, on_progress: Progress | None = None) -> CopyResult:
    """Copy the Tagdesk database behind `source` into the empty database `target_url` (a PostgreSQL database
    without tables, or a SQLite file that does not exist yet). Raises DatabaseError saying why if it cannot."""
    url = make_url(target_url)
    if url.get_backend_name() == "sqlite":
        return _copy_to_sqlite_file(source, Path(url.database or ""), on_progress)
    target = make_engine(target_url)
    try:
        log_in(target)  # the target's password, asked if the server wants one that libpq finds nowhere
        try:
            found = inspect_tables(target)
        except Exception as exc:  # noqa: BLE001 - cannot connect, no such database, no login
            raise as_user_error(exc, target) from None
        if found:
            raise DatabaseError(
                f"{where(target)}: is not empty (it has the tables {', '.join(sorted(found)[:5])}); a copy goes "
                "into an empty database: create a new one (createdb) or drop these tables"
            )
        return _copy(source, target, on_progress)
    finally:
        target.dispose()


def _copy_to_sqlite_file(source: Engine, path: Path, on_progress: Progress | None) -> CopyResult:
    if path.exists():
        raise DatabaseError(f"{path}: already exists; a copy is written to a new file")
    tmp = path.with_name(path.name + ".part")
    tmp.unlink(missing_ok=True)
    target = make_engine(f"sqlite:///{tmp}", journal_mode="DELETE")
    try:
        result = _copy(source, target, on_progress)
        target.dispose()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return result
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot write the copy ({exc.strerror})") from None
    finally:
        target.dispose()
        tmp.unlink(missing_ok=True)


def _copy(source: Engine, target: Engine, on_progress: Progress | None) -> CopyResult:
    from sqlalchemy import exc as sa_exc

    from .dialect import lock_schema

    reading = source
    if is_postgresql(source):  # one snapshot for every table, while others keep writing
        reading = source.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    try:
        with reading.connect() as src, src.begin():
            revision = current_revision(src)
            if revision is None:
                raise DatabaseError(f"{where(source)}: has no Tagdesk schema; there is nothing to copy")
            if revision not in known_revisions():
                raise DatabaseError(
                    f"{where(source)}: has schema {revision}, newer than this Tagdesk knows ({head_revision()}); "
                    "copy it with the newer Tagdesk"
                )
            with target.begin() as dst:
                lock_schema(dst)
                migrate(dst, revision)
                counts = _copy_rows(src, dst, on_progress)
                names = _all_table_names(dst)
                if any(is_search_table(t) for t in names):  # the watermark too, from its revision on
                    rebuild_search_index(dst, watermark=SEARCH_WATERMARK in names)
                reset_sequences(dst, _tables(dst))
                for table in _tables(dst):
                    copied = dst.execute(select(func.count()).select_from(table)).scalar_one()
                    if copied != counts[table.name]:
                        raise DatabaseError(f"{where(target)}: the copy of {table.name} is incomplete; nothing kept")
    except sa_exc.SQLAlchemyError as exc:
        raise as_user_error(exc, _failed_side(exc, source, target)) from None
    return CopyResult(revision=revision, rows=counts)


def _failed_side(exc: BaseException, source: Engine, target: Engine) -> Engine:
    """Which database a driver error came from (by its driver; the target when both are alike)."""
    driver = type(getattr(exc, "orig", exc)).__module__.split(".")[0]
    backend = "sqlite" if driver == "sqlite3" else "postgresql"
    return source if source.dialect.name == backend and target.dialect.name != backend else target


def _all_table_names(conn: Connection) -> list[str]:
    from sqlalchemy import inspect

    return list(inspect(conn).get_table_names())
