"""Tagdesk on PostgreSQL against raw psycopg on the same server: a bulk import, and one decision's latency.

    python -m benchmarks.bench_postgresql [--url postgresql+psycopg://...] [--docs 100000] [--n 300]

Without --url a throwaway server is started (Debian's initdb/pg_ctl, a Unix socket in a temporary folder,
fsync on: a real server's durability). With --url, empty databases are created on that server (the login needs
CREATEDB) and dropped afterwards.

Import: both sides read the same JSONL file, parse each line and hash the text; the baseline COPYs the rows into
a `document` table with the same indexes, Tagdesk runs `add_documents` (checks, duplicate detection, ids from the
sequence, COPY, the event row) AND keeps its search index (the case-folded text in a pg_trgm GIN index): that
upkeep is counted against Tagdesk. A third line shows raw COPY into both tables, the floor with the index.
Decision: `store.add_span` in a `writing()` session (the window's path) against psycopg running the same
statements (lock the annotation row, check overlaps, insert, bump the version where it is expected, the event
log's lock, append the event, commit). Median of rounds; compare only figures from one run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import corpus

TEXT = " ".join(f"w{k:03d}" for k in range(400))
DOC_DDL = (
    "CREATE TABLE document (id SERIAL PRIMARY KEY, text VARCHAR NOT NULL, text_hash VARCHAR(64) NOT NULL, "
    "meta JSON NOT NULL, source VARCHAR NOT NULL, position INTEGER NOT NULL)",
    "CREATE UNIQUE INDEX ix_document_text_hash ON document (text_hash)",
    "CREATE INDEX ix_document_position ON document (position)",
)
SEARCH_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE document_search (document_id INTEGER PRIMARY KEY REFERENCES document (id), folded TEXT NOT NULL)",
    "CREATE INDEX ix_document_search_trgm ON document_search USING gin (folded gin_trgm_ops)",
)


def make_file(path: Path, n: int) -> None:
    """`n` unannotated JSONL documents (the format benchmark's generated texts, cut short): an import's write path."""
    with path.open("w", encoding="utf-8") as fh:
        for d in corpus.documents(n, target_chars=150):
            fh.write(json.dumps({"text": d.text, "meta": {}}) + "\n")


class Server:
    """Databases on the given server, or on a throwaway one started here."""

    def __init__(self, url: str | None) -> None:
        from sqlalchemy.engine import make_url

        self.own = None
        if url is None:
            from tests.pgserver import PgServer, find_binaries

            bindir = find_binaries()
            if bindir is None:
                raise SystemExit("no PostgreSQL binaries (Debian: apt-get install postgresql), and no --url given")
            self.own = PgServer(bindir, durable=True)
            self.own.init()
            self.own.start()
            url = self.own.url("postgres")
        self.base = make_url(url)
        self.made: list[str] = []

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as con:
            con.execute(sql)

    def dsn(self, database: str) -> str:
        return self.base.set(drivername="postgresql", database=database).render_as_string(hide_password=False)

    def new(self) -> str:
        name = f"tagdesk_bench_{len(self.made)}_{time.monotonic_ns() % 10**6}"
        self._admin(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return name

    def url(self, database: str) -> str:
        return self.base.set(drivername="postgresql+psycopg", database=database).render_as_string(hide_password=False)

    def close(self) -> None:
        for name in self.made:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if self.own is not None:
            self.own.destroy()


def _rows(src: Path) -> list[tuple]:
    rows = []
    with src.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            obj = json.loads(line)
            text = obj["text"]
            rows.append((text, hashlib.sha256(text.encode()).hexdigest(), json.dumps(obj.get("meta", {})), src.name, i))
    return rows


def raw_import(server: Server, src: Path, *, with_search: bool) -> float:
    import psycopg

    name = server.new()
    with psycopg.connect(server.dsn(name)) as con:
        for sql in DOC_DDL + (SEARCH_DDL if with_search else ()):
            con.execute(sql)
        con.commit()
        t0 = time.perf_counter()
        rows = _rows(src)
        with con.cursor() as cur:
            with cur.copy("COPY document (text, text_hash, meta, source, position) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            if with_search:
                with cur.copy("COPY document_search (document_id, folded) FROM STDIN") as copy:
                    for i, row in enumerate(rows, start=1):
                        copy.write_row((i, row[0].casefold()))
        con.commit()
        return time.perf_counter() - t0


def tagdesk_import(server: Server, src: Path, folder: Path, n: int) -> float:
    from models.formats import ReadOptions, get_format
    from models.project import new_project
    from models.store import add_documents

    project = new_project(folder, ["PERSON", "ORG", "GPE"], annotator="bench", database_url=server.url(server.new()))
    t0 = time.perf_counter()
    docs = get_format("jsonl").read(src, ReadOptions())
    with project.writing() as session:
        result = add_documents(docs, session=session, source=src.name, annotator="bench")
    elapsed = time.perf_counter() - t0
    assert result.added == n, result
    project.close()
    return elapsed


def _decision_db(server: Server):
    from models import store
    from models.db.engine import make_engine, upgrade_database

    engine = make_engine(server.url(server.new()))
    upgrade_database(engine)
    with store.writing(engine) as s:
        store.add_documents([store.NewDocument(text=f"{i} {TEXT}") for i in range(50)], session=s)
    return engine


def tagdesk_decisions(server: Server, n: int) -> float:
    from models import store

    engine = _decision_db(server)
    t0 = time.perf_counter()
    for i in range(n):
        with store.writing(engine) as s:
            store.add_span(1 + i % 50, 5 * (i // 50), 5 * (i // 50) + 4, "PERSON", session=s, annotator="bench")
    dt = (time.perf_counter() - t0) / n
    engine.dispose()
    return dt


def raw_decisions(server: Server, n: int) -> float:
    import psycopg
    from psycopg.types.json import Json

    from models.db.dialect import EVENT_LOCK
    from models.db.tables import utcnow

    engine = _decision_db(server)
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    engine.dispose()
    with psycopg.connect(dsn) as con:
        t0 = time.perf_counter()
        for i in range(n):
            doc, start = 1 + i % 50, 5 * (i // 50)
            now = utcnow()
            con.execute("SELECT length(text) FROM document WHERE id = %s", (doc,)).fetchone()
            sql = "SELECT id, version FROM annotation WHERE document_id = %s AND annotator = 'bench' FOR UPDATE"
            row = con.execute(sql, (doc,)).fetchone()
            if row is None:
                con.execute(
                    "INSERT INTO annotation (document_id, annotator, status, seconds_spent, updated_at, version) "
                    "VALUES (%s, 'bench', 'pending', 0, %s, 0) ON CONFLICT (document_id, annotator) DO NOTHING",
                    (doc, now),
                )
                row = con.execute(sql, (doc,)).fetchone()
            ann, version = row
            con.execute(
                'SELECT label FROM span WHERE annotation_id = %s AND start < %s AND "end" > %s AND id != -1 LIMIT 1',
                (ann, start + 4, start),
            ).fetchone()
            span = con.execute(
                "INSERT INTO span (annotation_id, start, \"end\", label, origin) VALUES (%s, %s, %s, 'PERSON', "
                "'human') RETURNING id",
                (ann, start, start + 4),
            ).fetchone()[0]
            bumped = con.execute(
                "UPDATE annotation SET version = version + 1, updated_at = %s WHERE id = %s AND version = %s",
                (now, ann, version),
            ).rowcount
            assert bumped == 1
            con.execute("SELECT pg_advisory_xact_lock(%s)", (EVENT_LOCK,))
            payload = {"span_id": span, "start": start, "end": start + 4, "label": "PERSON", "version": version + 1}
            con.execute(
                "INSERT INTO event (at, annotator, document_id, action, payload) VALUES (%s, 'bench', %s, "
                "'add_span', %s)",
                (now, doc, Json(payload)),
            )
            con.commit()
        return (time.perf_counter() - t0) / n


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", help="a PostgreSQL server to use (default: start a throwaway one)")
    p.add_argument("--docs", type=int, default=100_000, help="documents to import")
    p.add_argument("--n", type=int, default=300, help="decisions per measurement")
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args(argv)
    server = Server(args.url)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "docs.jsonl"
            make_file(src, args.docs)
            runs = []
            for r in range(2):  # alternate to share the machine's noise fairly
                runs.append(
                    (
                        raw_import(server, src, with_search=False),
                        raw_import(server, src, with_search=True),
                        tagdesk_import(server, src, Path(tmp) / f"proj{r}", args.docs),
                    )
                )
            raw, raw_search, ours = (min(x[k] for x in runs) for k in range(3))
        n = args.docs
        print(f"import {n:,} JSONL docs into PostgreSQL (parse + hash + write, one transaction, best of 2):")
        print(f"  raw psycopg COPY, document only          {n / raw:10,.0f} docs/s")
        print(f"  raw psycopg COPY, document + search index {n / raw_search:9,.0f} docs/s")
        print(f"  tagdesk add_documents (with its index)   {n / ours:10,.0f} docs/s")
        print(f"  ratio tagdesk/raw COPY = {raw / ours:.2f} (aim >= 0.5)")
        print(f"  ratio tagdesk/raw COPY with the same search index = {raw_search / ours:.2f}")
        ours_d, raw_d = [], []
        for _ in range(args.rounds):
            ours_d.append(tagdesk_decisions(server, args.n))
            raw_d.append(raw_decisions(server, args.n))
        t, b = statistics.median(ours_d), statistics.median(raw_d)
        print(f"one decision (add a span: span + version + event, one commit), {args.n} x {args.rounds}, median:")
        print(f"  tagdesk {t * 1e3:.2f} ms, raw psycopg {b * 1e3:.2f} ms, ratio {t / b:.1f}")
    finally:
        server.close()


if __name__ == "__main__":
    main()
