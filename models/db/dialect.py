"""What SQLite and PostgreSQL do differently, in one place: the store calls these and writes no SQL of its own
that only one backend understands (DESIGN.md invariant 12).

- New ids: PostgreSQL hands them out from each table's sequence (concurrent imports and decisions never collide);
  SQLite counts on from max(id), safe because a SQLite writer holds the database's write lock from BEGIN.
- Bulk rows: PostgreSQL's COPY (psycopg's `cursor.copy`; executemany where row security applies to the login,
  which the server does not allow COPY for), on SQLite INSERTs of hundreds of short rows each (`bulk_insert`).
- Insert-if-missing and upsert: `INSERT ... ON CONFLICT` in each dialect's spelling.
- A document's length: read from an index on SQLite, where the row has it after the text (`document_length`).
- Locks that SQLite's single writer gives for free: imports and schema upgrades take a transaction-level advisory
  lock on PostgreSQL; the event log's tail is appended under one too, so event ids are committed in id order
  (a reader that polls "events after the newest id I saw" never skips one that committed late).
- Search: a case-folded substring search with an index on both, over `str.casefold` of each text (Python's full
  Unicode folding, `Straße` finds `STRASSE`): an FTS5 `trigram` table on SQLite (the documents with every trigram
  of the query, then checked exactly), a `pg_trgm` GIN index on PostgreSQL (which rechecks by itself). The
  migration `0007_search` creates them. PostgreSQL indexes each import's documents as they are written: its ids
  come from sequences, so a transaction holding lower ids can commit after one holding higher ids, and a watermark
  would skip it (filling the GIN index is still a large part of a PostgreSQL import: 26 s instead of 15 s for
  10,000 texts of 3 KB). SQLite's trigram index would be most of an import's time, so it is filled afterwards
  (its ids follow max(id) under the write lock, in commit order): a watermark (the one row of `search_indexed`,
  migration `0012_search_watermark`) says that every document with an id up to it is in the index and none above
  it is; `index_pending` catches up in bounded write transactions (the desktop runs it in the background), and
  until then a search checks the documents above the watermark exactly, without the index, so its results never
  depend on the catch-up. New documents land above the watermark; one that lands at or below it (after the
  newest documents were removed) is indexed at once. PostgreSQL keeps the row but never reads it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, bindparam, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean

POSTGRESQL = "postgresql"
CASEFOLD_SQL = "tagdesk_casefold"  # Python's str.casefold, registered on every SQLite connection
SQLITE = "sqlite"

# Transaction-level advisory lock keys (any two distinct 64-bit numbers; "tagdesk" spelled in hex, plus 1, 2, 3).
IMPORT_LOCK = 0x7461676465736B01
SCHEMA_LOCK = 0x7461676465736B02
EVENT_LOCK = 0x7461676465736B03

# The search index: an FTS5 table on SQLite (its shadow tables start with the same name), a table on PostgreSQL.
SQLITE_SEARCH = "document_fts"
PG_SEARCH = "document_search"
SEARCH_WATERMARK = "search_indexed"  # one row: documents with id <= upto are in SQLite's index, none above
MIN_INDEXED = 3  # a trigram index finds substrings of at least 3 characters; shorter ones are a scan


def is_postgresql(bind: Connection | Engine) -> bool:
    return bind.dialect.name == POSTGRESQL


def is_search_table(name: str) -> bool:
    """True for the search index's tables (not in the table classes: each backend has its own kind)."""
    return name in (PG_SEARCH, SQLITE_SEARCH, SEARCH_WATERMARK) or name.startswith(SQLITE_SEARCH + "_")


# ---------------------------------------------------------------------------------------------- document length
# SQLite keeps `document.length` after the text in each row (the migration that added it could only append it), so
# reading it from the row walks the text's whole chain of overflow pages (1.2 ms for 5 MB); from the covering index
# (id, length) it is one lookup. SQLite's planner takes the row by its id over any index, hence INDEXED BY there.
_LENGTH_SQLITE = text("SELECT length FROM document INDEXED BY ix_document_id_length WHERE id = :doc")
_LENGTH_POSTGRESQL = text("SELECT length FROM document WHERE id = :doc")


def document_length(conn: Connection, document_id: int) -> int | None:
    """A document's stored length in code points (None: no such document), without reading its text."""
    stmt = _LENGTH_POSTGRESQL if is_postgresql(conn) else _LENGTH_SQLITE
    found = conn.execute(stmt, {"doc": document_id}).scalar()
    return None if found is None else int(found)


# ---------------------------------------------------------------------------------------------- an annotation's spans
# A decision on a long document reads all of its annotation's spans (the overlap check). Fetching them row by row
# steps SQLite once a row, and the sqlite3 module hands the interpreter lock over at every step: while the GUI
# thread runs, the writer thread waits for it at each (8,334 spans: 150-170 ms). On SQLite they come as one JSON
# array built by the engine: one step. Scores stay out of it (SQLite writes reals in JSON with 15 digits, not
# always the same double); the caller reads the few rows it removes whole.
_SPAN_KEYS_SQLITE = text(
    'SELECT json_group_array(json_array(id, start, "end", label)) FROM span WHERE annotation_id = :ann'
)
_SPAN_KEYS_POSTGRESQL = text('SELECT id, start, "end", label FROM span WHERE annotation_id = :ann')


def span_keys(conn: Connection, annotation_id: int) -> list[tuple[int, int, int, str]]:
    """(id, start, end, label) of every span of an annotation, in no particular order."""
    if is_postgresql(conn):
        return [
            (int(a), int(b), int(c), str(d))
            for a, b, c, d in conn.execute(_SPAN_KEYS_POSTGRESQL, {"ann": annotation_id})
        ]
    found = conn.execute(_SPAN_KEYS_SQLITE, {"ann": annotation_id}).scalar()
    return list(map(tuple, json.loads(found))) if found else []


# ---------------------------------------------------------------------------------------------- ids and rows
def reserve_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """`count` new primary keys for `table`, increasing. On PostgreSQL they come from the table's sequence (a
    rolled-back transaction leaves a gap, as sequences do); on SQLite they follow max(id)."""
    if count <= 0:
        return []
    if is_postgresql(conn):
        rows = conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": count},
        )
        return sorted(r[0] for r in rows)
    first = conn.execute(text(f"SELECT coalesce(max(id), 0) + 1 FROM {table.name}")).scalar_one()
    return list(range(first, first + count))


def bulk_insert(conn: Connection, table: Table, rows: Sequence[Any], keys: Sequence[str] | None = None) -> None:
    """Insert many rows the fastest way each backend has: COPY on PostgreSQL, the driver's executemany on SQLite
    (no SQLAlchemy processing per value). `rows`: dicts with the same keys, or (with `keys`) tuples of values in
    that order, which saves building a dict per row. JSON values already serialized to text."""
    if not rows:
        return
    if keys is None:
        keys = list(rows[0])
        values = itemgetter(*keys)
        rows = [values(row) for row in rows] if len(keys) > 1 else [(values(row),) for row in rows]
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(quote(k) for k in keys)
    target = quote(table.name)
    if not is_postgresql(conn):
        if table.name in _LONG_ROWS:
            conn.exec_driver_sql(f"INSERT INTO {target} ({columns}) VALUES ({', '.join('?' * len(keys))})", rows)
        else:
            _insert_rows(conn, f"INSERT INTO {target} ({columns}) VALUES ", len(keys), rows)
        return
    if not _row_security_active(conn, table):
        _copy(conn, f"COPY {target} ({columns}) FROM STDIN", rows)
        return
    # The server refuses COPY into a table whose row security applies to this login (a team member's, see
    # models/db/row_security.py): COPY into a temporary table (no policies there), then one INSERT ... SELECT
    # that the policies check row by row.
    staging = quote(f"tagdesk_bulk_{table.name}")
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {staging} AS SELECT {columns} FROM {target} WITH NO DATA")
    try:
        _copy(conn, f"COPY {staging} ({columns}) FROM STDIN", rows)
        conn.exec_driver_sql(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {staging}")
    finally:
        conn.exec_driver_sql(f"DROP TABLE {staging}")


def _row_security_active(conn: Connection, table: Table) -> bool:
    """True when the server's row security applies to this connection's login for `table` (not its owner)."""
    return bool(conn.execute(text("SELECT row_security_active(:t)"), {"t": table.name}).scalar())


# Rows per INSERT on SQLite: its statements step once per statement, executemany once per row. The sqlite3 module
# hands the interpreter lock over at every step, and while the GUI thread runs the writer thread waits for it each
# time: accepting 8,333 suggestions took 100-550 ms in executemany, depending on what the window was doing.
_ROWS_PER_INSERT = 500
# Tables whose rows hold texts or JSON of any length go one row a step (executemany): SQLite copies every value
# bound to a statement, so 500 documents of 1 MB would hold 500 MB at once; a few long rows cost few steps anyway.
_LONG_ROWS = frozenset({"document", "event", "suggestion", "setting"})


def _insert_rows(conn: Connection, head: str, width: int, rows: Sequence[Any]) -> None:
    """`rows` (tuples of `width` values) inserted by `head` ("INSERT INTO t (a, b) VALUES ") in statements of up to
    `_ROWS_PER_INSERT` rows, each within the build's limit on bound parameters."""
    driver = cast(sqlite3.Connection, conn.connection.driver_connection)
    limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(_ROWS_PER_INSERT, limit // width))
    one = f"({', '.join('?' * width)})"
    full = head + ", ".join([one] * per)
    for i in range(0, len(rows), per):
        part = rows[i : i + per]
        sql = full if len(part) == per else head + ", ".join([one] * len(part))
        conn.exec_driver_sql(sql, tuple(chain.from_iterable(part)))


def _copy(conn: Connection, copy_sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """COPY rows through the session's own psycopg connection (so in its transaction). The driver's errors are
    raised as SQLAlchemy's, like any statement's, so the store turns them into messages."""
    import psycopg
    from sqlalchemy.exc import DBAPIError

    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as exc:
        raise DBAPIError.instance(copy_sql, None, exc, psycopg.Error) from exc
    finally:
        cursor.close()


@lru_cache(maxsize=64)
def _insert_ignoring(dialect: str, table: Table, keys: tuple[str, ...]) -> Insert:
    stmt = (postgresql.insert(table) if dialect == POSTGRESQL else sqlite.insert(table)).on_conflict_do_nothing(
        index_elements=list(keys)
    )
    return stmt


def insert_if_missing(conn: Connection, table: Table, keys: Sequence[str]) -> Insert:
    """`INSERT ... ON CONFLICT (keys) DO NOTHING` for `table`: the row count says whether a row was added."""
    return _insert_ignoring(conn.dialect.name, table, tuple(keys))


def upsert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> None:
    """Insert rows, replacing the other columns of a row whose `keys` already exist (ON CONFLICT DO UPDATE)."""
    if not rows:
        return
    ins = postgresql.insert(table) if is_postgresql(conn) else sqlite.insert(table)
    changed = {c: ins.excluded[c] for c in rows[0] if c not in keys}
    conn.execute(ins.on_conflict_do_update(index_elements=list(keys), set_=changed), list(rows))


def reset_sequences(conn: Connection, tables: Iterable[Table]) -> None:
    """After rows were written with explicit ids (a copy): each sequence continues after the largest id."""
    if not is_postgresql(conn):
        return
    for table in tables:
        if "id" not in table.c:
            continue
        conn.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                f"coalesce((SELECT max(id) FROM {conn.dialect.identifier_preparer.quote(table.name)}), 0) + 1, false)"
            ),
            {"t": table.name},
        )


def database_login(conn: Connection) -> str:
    """The login this connection uses on a PostgreSQL server (its `current_user`)."""
    return str(conn.execute(text("SELECT current_user")).scalar_one())


# ---------------------------------------------------------------------------------------------- locks
def _advisory(conn: Connection, key: int) -> None:
    if is_postgresql(conn):
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def lock_imports(conn: Connection) -> None:
    """Imports one at a time (until this transaction ends): positions and duplicate checks stay exact."""
    _advisory(conn, IMPORT_LOCK)


def lock_schema(conn: Connection) -> None:
    """Schema changes one at a time: two desktops creating the schema of an empty database do it once."""
    _advisory(conn, SCHEMA_LOCK)


def lock_event_log(conn: Connection) -> None:
    """Take before appending events (held to commit): events become visible in id order."""
    _advisory(conn, EVENT_LOCK)


# ---------------------------------------------------------------------------------------------- search
def fold(value: str) -> str:
    """What search compares: Unicode case folding (`str.casefold`), the same for the index and the query."""
    return value.casefold()


class text_contains(ColumnElement[bool]):  # noqa: N801 - reads like the SQL operator it is
    """The document's text contains the query, ignoring case, through the backend's search index.

    Built by `contains_text`, which also prepares the query in each form a backend needs (bound values, so a
    cached statement never keeps an old query); compiled per dialect below."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [
        ("doc_id", InternalTraversal.dp_clauseelement),
        ("doc_text", InternalTraversal.dp_clauseelement),
        ("folded", InternalTraversal.dp_clauseelement),
        ("phrase", InternalTraversal.dp_clauseelement),
        ("pattern", InternalTraversal.dp_clauseelement),
        ("indexed", InternalTraversal.dp_boolean),
    ]

    def __init__(self, doc_id: Any, doc_text: Any, query: str) -> None:
        folded = fold(query)
        self.doc_id = doc_id
        self.doc_text = doc_text
        self.folded: BindParameter[str] = bindparam("search_folded", folded, unique=True)
        # FTS5: every trigram of the query must be in the text (a superset of the matches, checked exactly below)
        trigrams = dict.fromkeys(folded[i : i + MIN_INDEXED] for i in range(len(folded) - MIN_INDEXED + 1))
        self.phrase: BindParameter[str] = bindparam(
            "search_trigrams", " ".join('"' + t.replace('"', '""') + '"' for t in trigrams), unique=True
        )
        escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        self.pattern: BindParameter[str] = bindparam("search_pattern", f"%{escaped}%", unique=True)
        self.indexed = len(folded) >= MIN_INDEXED


def contains_text(doc_id: Any, doc_text: Any, query: str) -> text_contains:
    """A WHERE clause: the document (its id and text columns) has `query` in its text, ignoring case."""
    return text_contains(doc_id, doc_text, query)


@compiles(text_contains, "sqlite")
def _contains_sqlite(element: text_contains, compiler: Any, **kw: Any) -> str:
    body, needle = compiler.process(element.doc_text, **kw), compiler.process(element.folded, **kw)
    exact = f"instr({CASEFOLD_SQL}({body}), {needle}) > 0"  # folded like the index, in Python
    if not element.indexed:  # too short for trigrams: a scan
        return exact
    doc_id, trigrams = compiler.process(element.doc_id, **kw), compiler.process(element.phrase, **kw)
    # the index's candidates, plus every document the index has not caught up with yet; all checked exactly
    candidates = f"SELECT rowid FROM {SQLITE_SEARCH} WHERE {SQLITE_SEARCH} MATCH {trigrams}"
    pending = f"{doc_id} > (SELECT upto FROM {SEARCH_WATERMARK})"
    return f"(({doc_id} IN ({candidates}) OR {pending}) AND {exact})"


@compiles(text_contains, "postgresql")
def _contains_postgresql(element: text_contains, compiler: Any, **kw: Any) -> str:
    doc_id, pattern = compiler.process(element.doc_id, **kw), compiler.process(element.pattern, **kw)
    return f"{doc_id} IN (SELECT document_id FROM {PG_SEARCH} WHERE folded ILIKE {pattern})"


def index_for_search(conn: Connection, documents: Iterable[tuple[int, str]]) -> None:
    """Make new documents (id, text) searchable, in the caller's transaction. PostgreSQL indexes them now; SQLite
    leaves those above the watermark to `index_pending` and indexes now only any at or below it."""
    if is_postgresql(conn):
        rows = [(doc_id, fold(body)) for doc_id, body in documents]
        if rows:
            _copy(conn, f"COPY {PG_SEARCH} (document_id, folded) FROM STDIN", rows)
        return
    upto = search_watermark(conn)
    _fill(conn, [(doc_id, body) for doc_id, body in documents if doc_id <= upto])


def unindex_for_search(conn: Connection, documents: Iterable[tuple[int, str]]) -> None:
    """Take documents (id, text) out of the search index, in the caller's transaction (before they are deleted).
    SQLite's index keeps no copy of the texts, so it is told what each one held; only documents at or below the
    watermark are in it (deleting a row the index never held would damage it)."""
    if is_postgresql(conn):
        ids = [doc_id for doc_id, _body in documents]
        if ids:
            conn.execute(text(f"DELETE FROM {PG_SEARCH} WHERE document_id = ANY(:ids)"), {"ids": ids})
        return
    upto = search_watermark(conn)
    rows = [(doc_id, fold(body)) for doc_id, body in documents if doc_id <= upto]
    if rows:
        conn.exec_driver_sql(
            f"INSERT INTO {SQLITE_SEARCH} ({SQLITE_SEARCH}, rowid, folded) VALUES ('delete', ?, ?)", rows
        )


def _fill(conn: Connection, documents: Sequence[tuple[int, str]]) -> None:
    if is_postgresql(conn):
        index_for_search(conn, documents)
        return
    pairs = [(doc_id, fold(body)) for doc_id, body in documents]
    if pairs:
        conn.exec_driver_sql(f"INSERT INTO {SQLITE_SEARCH} (rowid, folded) VALUES (?, ?)", pairs)


def search_watermark(conn: Connection) -> int:
    """The largest document id SQLite's search index has caught up with."""
    return int(conn.execute(text(f"SELECT upto FROM {SEARCH_WATERMARK}")).scalar_one())


# Characters indexed per catch-up transaction: FTS5's trigram index takes ~12 MB of text a second here, so about
# a tenth of a second holding the write lock (a decision waiting behind it is still quick).
PENDING_CHARS = 1_000_000


def index_pending(conn: Connection, batch: int = 1000, *, chars: int | None = None) -> int:
    """Add the next documents above the watermark to SQLite's search index (at most `batch` of them, and no more
    once they hold `chars` characters, default `PENDING_CHARS`: a transaction of long texts stays short too) and
    move the watermark past them, in the caller's (write) transaction; the number indexed (0: caught up, and
    always on PostgreSQL)."""
    if is_postgresql(conn):
        return 0
    result = conn.execute(
        text(f"SELECT id, text FROM document WHERE id > (SELECT upto FROM {SEARCH_WATERMARK}) ORDER BY id LIMIT :n"),
        {"n": batch},
    )
    rows, size, budget = [], 0, PENDING_CHARS if chars is None else chars
    for row in result:  # read row by row: the texts past the budget are never fetched
        rows.append(row)
        size += len(row[1])
        if size >= budget:
            break
    result.close()
    if rows:
        _fill(conn, [(r[0], r[1]) for r in rows])
        conn.execute(text(f"UPDATE {SEARCH_WATERMARK} SET upto = :last"), {"last": rows[-1][0]})
    return len(rows)


def create_search_watermark(conn: Connection) -> None:
    """Create the watermark's table, saying the index holds every document there is (true when it is created)."""
    conn.execute(text(f"CREATE TABLE {SEARCH_WATERMARK} (upto INTEGER NOT NULL)"))
    conn.execute(text(f"INSERT INTO {SEARCH_WATERMARK} (upto) SELECT coalesce(max(id), 0) FROM document"))


def create_search_index(conn: Connection) -> None:
    """Create the search index's tables (empty). Used by the migration that introduces search."""
    if is_postgresql(conn):
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        conn.execute(
            text(
                f"CREATE TABLE {PG_SEARCH} (document_id INTEGER PRIMARY KEY REFERENCES document (id), "
                "folded TEXT NOT NULL)"
            )
        )
        conn.execute(text(f"CREATE INDEX ix_{PG_SEARCH}_trgm ON {PG_SEARCH} USING gin (folded gin_trgm_ops)"))
    else:
        # contentless (content=''): only the trigram index is stored, not a second copy of every text; detail=none
        # keeps no positions (a third of the size, twice as fast to fill: 37,000 vs 16,500 short texts a second);
        # a search takes the documents holding all of its trigrams and checks those exactly
        conn.execute(
            text(
                f"CREATE VIRTUAL TABLE {SQLITE_SEARCH} USING fts5(folded, content='', detail=none, "
                "tokenize='trigram case_sensitive 1')"
            )
        )
        # merge index segments 16 at a time instead of 4: imports fill it 1.7x faster, searches are as fast
        conn.execute(text(f"INSERT INTO {SQLITE_SEARCH} ({SQLITE_SEARCH}, rank) VALUES ('automerge', 16)"))


def drop_search_index(conn: Connection) -> None:
    conn.execute(text(f"DROP TABLE IF EXISTS {PG_SEARCH if is_postgresql(conn) else SQLITE_SEARCH}"))


def rebuild_search_index(conn: Connection, batch: int = 2000, *, watermark: bool = True) -> None:
    """Fill the (empty) search index from every document, `batch` texts at a time; then the watermark is the
    largest id (`watermark=False`: a schema from before the watermark)."""
    last = 0
    while True:
        rows = conn.execute(
            text("SELECT id, text FROM document WHERE id > :last ORDER BY id LIMIT :n"), {"last": last, "n": batch}
        ).all()
        if not rows:
            break
        _fill(conn, [(r[0], r[1]) for r in rows])
        last = rows[-1][0]
    if watermark:
        conn.execute(text(f"UPDATE {SEARCH_WATERMARK} SET upto = :last"), {"last": last})
