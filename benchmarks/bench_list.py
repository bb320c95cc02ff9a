"""The document list's pages: milliseconds to read the next 200 rows, in project order and most uncertain first.

A project of --docs short documents, every second one scored under a model (uncertainty random, with ties),
listed page by page from the top through `store.document_rows` (what the window's list and the queue read). The
raw side runs the same statements' SQL through `sqlite3` directly (the cost of the layers above the engine), and,
for reference, the one statement ordered by the coalesced rank that a page read most uncertain first used to be
(it sorts every document for each page).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

PAGE = 200


def _sql(stmt: Any, dialect: Any) -> str:
    return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_list", description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--pages", type=int, default=15)
    args = parser.parse_args([] if argv is None else argv)
    from sqlalchemy import func
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from models import store
    from models.project import new_project
    from models.store import listing

    dialect = sqlite_dialect.dialect()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        project = new_project(Path(tmp) / "p", ["PERSON"], annotator="bench")
        with project.writing() as s:
            store.add_documents(
                [store.NewDocument(text=f"Document {i} about things.") for i in range(args.docs)], session=s
            )
            ids = store.document_ids(session=s)
            scored = ids[::2]
            ranks = [round(rng.random(), 2) for _ in scored]  # two decimals: many ties
            store.store_suggestions_bulk([(d, []) for d in scored], "m@1", session=s, uncertainty=ranks)
            s.commit()
        raw = sqlite3.connect(str(project.database_path))
        print(f"{args.docs:,} documents, {len(scored):,} scored; ms per page of {PAGE} rows (median of {args.pages}):")
        for order in ("position", "uncertain"):
            filters = store.ListFilters(order=order, model="m@1" if order == "uncertain" else None)
            tagdesk, engine, keys = [], [], []
            with project.session() as s:
                after = None
                for _ in range(args.pages):
                    t = time.perf_counter()
                    rows = store.document_rows(session=s, annotator="bench", filters=filters, after=after, limit=PAGE)
                    tagdesk.append(time.perf_counter() - t)
                    keys.append(after)
                    after = rows[-1].key
            for after in keys:  # the same statements, run by the engine alone
                parts = listing._in_order("bench", filters, *listing._ROW_COLUMNS, after=after)
                t = time.perf_counter()
                got = 0
                for stmt in parts:
                    if got < PAGE:
                        got += len(raw.execute(_sql(stmt.limit(PAGE - got), dialect)).fetchall())
                engine.append(time.perf_counter() - t)
            ms, raw_ms = statistics.median(tagdesk) * 1000, statistics.median(engine) * 1000
            print(f"  {order:<10} Tagdesk {ms:6.2f}   raw sqlite3 {raw_ms:6.2f}   ratio {raw_ms / ms:.2f}")
        one = listing._listed("bench", filters, *listing._ROW_COLUMNS, func.coalesce(listing._uncertainty, -1.0))
        one = one.order_by(func.coalesce(listing._uncertainty, -1.0).desc(), listing._position).limit(PAGE)
        t = time.perf_counter()
        raw.execute(_sql(one, dialect)).fetchall()
        print(f"  (one statement sorted by the coalesced rank, raw sqlite3: {(time.perf_counter() - t) * 1000:.1f} ms)")
        raw.close()
        project.close()


if __name__ == "__main__":
    main()
