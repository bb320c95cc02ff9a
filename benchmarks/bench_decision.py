"""Cost of one annotation decision (add a span: span row + annotation version + event row, one commit) under
SQLite's durability settings, through Tagdesk's store and through raw sqlite3 running the same statements.

    python -m benchmarks.bench_decision [--n 300] [--dir PATH]

Run it on the disk where projects live (fsync cost is the disk's). Prints ms per decision (median of rounds)
and the ratio Tagdesk / raw sqlite3 for each setting; compare only figures from one run.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

SETTINGS = [("WAL", "FULL"), ("WAL", "NORMAL"), ("DELETE", "FULL")]
TEXT = " ".join(f"w{k:03d}" for k in range(400))


def _tagdesk_db(path: Path, journal: str, sync: str):
    from models import store
    from models.db.engine import make_engine, upgrade_database

    engine = make_engine(f"sqlite:///{path}", journal_mode=journal, synchronous=sync)
    upgrade_database(engine)
    with store.writing(engine) as s:
        store.add_documents([store.NewDocument(text=f"{i} {TEXT}") for i in range(50)], session=s)
    return engine


def tagdesk_decisions(path: Path, journal: str, sync: str, n: int) -> float:
    """Seconds per decision through `models.store.add_span` in a `writing()` session (the GUI's path)."""
    from models import store

    engine = _tagdesk_db(path, journal, sync)
    t0 = time.perf_counter()
    for i in range(n):
        with store.writing(engine) as s:
            store.add_span(1 + i % 50, 5 * (i // 50), 5 * (i // 50) + 4, "PERSON", session=s, annotator="bench")
    dt = (time.perf_counter() - t0) / n
    engine.dispose()
    return dt


def raw_decisions(path: Path, journal: str, sync: str, n: int) -> float:
    """The same statements with the sqlite3 module: read document, annotation and overlaps, insert the span,
    bump the annotation, append the event, commit."""
    _tagdesk_db(path, journal, sync).dispose()  # same schema and documents
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA foreign_keys=ON")
    con.execute(f"PRAGMA journal_mode={journal}")
    con.execute(f"PRAGMA synchronous={sync}")
    t0 = time.perf_counter()
    for i in range(n):
        doc, start = 1 + i % 50, 5 * (i // 50)
        now = datetime.now(UTC).isoformat(" ")
        con.execute("BEGIN IMMEDIATE")
        con.execute("SELECT id, text FROM document WHERE id = ?", (doc,)).fetchone()
        row = con.execute(
            "SELECT id, version FROM annotation WHERE document_id = ? AND annotator = ?", (doc, "bench")
        ).fetchone()
        if row is None:
            ann = con.execute(
                "INSERT INTO annotation (document_id, annotator, status, seconds_spent, updated_at, "
                "version) VALUES (?, 'bench', 'pending', 0, ?, 0)",
                (doc, now),
            ).lastrowid
            version = 0
        else:
            ann, version = row
        con.execute(
            'SELECT id FROM span WHERE annotation_id = ? AND start < ? AND "end" > ? LIMIT 1', (ann, start + 4, start)
        ).fetchone()
        span = con.execute(
            "INSERT INTO span (annotation_id, start, \"end\", label, origin) VALUES (?, ?, ?, 'PERSON', 'human')",
            (ann, start, start + 4),
        ).lastrowid
        con.execute("UPDATE annotation SET version = ?, updated_at = ? WHERE id = ?", (version + 1, now, ann))
        con.execute(
            "INSERT INTO event (at, annotator, document_id, action, payload) VALUES (?, 'bench', ?, 'add_span', ?)",
            (
                now,
                doc,
                json.dumps(
                    {"span_id": span, "start": start, "end": start + 4, "label": "PERSON", "version": version + 1}
                ),
            ),
        )
        con.execute("COMMIT")
    dt = (time.perf_counter() - t0) / n
    con.close()
    return dt


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=300, help="decisions per measurement")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--dir", type=Path, default=None, help="where the test databases go (default: a temp folder)")
    args = p.parse_args([] if argv is None else argv)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        results = {}
        for journal, sync in SETTINGS:
            ours, raw = [], []
            for r in range(args.rounds):
                ours.append(tagdesk_decisions(Path(tmp) / f"t-{journal}-{sync}-{r}.sqlite", journal, sync, args.n))
                raw.append(raw_decisions(Path(tmp) / f"r-{journal}-{sync}-{r}.sqlite", journal, sync, args.n))
            results[(journal, sync)] = (statistics.median(ours), statistics.median(raw))
    base = results[("WAL", "NORMAL")][1]
    print(f"one decision (span + annotation version + event, one commit), {args.n} x {args.rounds} rounds, median")
    print(f"{'journal':8} {'synchronous':11} {'tagdesk ms':>10} {'raw ms':>8} {'ratio':>6} {'raw vs WAL+NORMAL':>18}")
    for (journal, sync), (ours, raw) in results.items():
        print(f"{journal:8} {sync:11} {ours * 1e3:10.2f} {raw * 1e3:8.2f} {ours / raw:6.1f} {raw / base:17.1f}x")


if __name__ == "__main__":
    main()
