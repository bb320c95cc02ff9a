"""Importing 100,000 short documents from JSONL, as a ratio against plain sqlite3.executemany of the same rows.

Both sides read the same file, parse each line with json.loads, hash the text, and insert in one transaction
into the same schema (the baseline creates the `document` table with the same unique index). Tagdesk adds its
checks (UTF-8, empty text, NUL, lone surrogates), duplicate detection and the event row.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import tempfile
import time
from pathlib import Path

N = 100_000
WORDS = [
    "Li",
    "Qiang",
    "met",
    "Vladimir",
    "Putin",
    "at",
    "the",
    "Kremlin",
    "on",
    "Wednesday",
    "to",
    "discuss",
    "trade",
    "energy",
    "and",
    "the",
    "economy",
    "of",
    "Russia",
    "and",
    "China",
    "while",
    "ministers",
    "from",
    "Beijing",
    "and",
    "Moscow",
    "signed",
    "agreements",
]


def make_file(path: Path, n: int = N) -> None:
    rnd = random.Random(7)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 30))) + f" ({i})."
            f.write(json.dumps({"text": text, "meta": {"n": i}}) + "\n")


def baseline(src: Path, db: Path) -> float:
    t0 = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute(
        "CREATE TABLE document (id INTEGER PRIMARY KEY, text TEXT NOT NULL, text_hash VARCHAR(64) NOT NULL, "
        "meta JSON NOT NULL, source VARCHAR NOT NULL, position INTEGER NOT NULL)"
    )
    con.execute("CREATE UNIQUE INDEX ix_document_text_hash ON document (text_hash)")
    con.execute("CREATE INDEX ix_document_position ON document (position)")
    rows = []
    with src.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            obj = json.loads(line)
            text = obj["text"]
            rows.append((text, hashlib.sha256(text.encode()).hexdigest(), json.dumps(obj.get("meta", {})), src.name, i))
    with con:
        con.executemany("INSERT INTO document (text, text_hash, meta, source, position) VALUES (?,?,?,?,?)", rows)
    con.close()
    return time.perf_counter() - t0


def tagdesk(src: Path, folder: Path) -> float:
    from models.formats import ReadOptions, get_format
    from models.project import new_project
    from models.store import add_documents

    project = new_project(folder, ["PERSON", "ORG", "GPE"], annotator="bench")
    t0 = time.perf_counter()
    docs = get_format("jsonl").read(src, ReadOptions())
    with project.writing() as session:
        result = add_documents(docs, session=session, source=src.name, annotator="bench")
    elapsed = time.perf_counter() - t0
    assert result.added == N, result
    project.close()
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "docs.jsonl"
        make_file(src)
        runs = []
        for r in range(2):  # alternate to share the machine's noise fairly
            b = baseline(src, tmp / f"base{r}.sqlite")
            t = tagdesk(src, tmp / f"proj{r}")
            runs.append((b, t))
        b = min(x[0] for x in runs)
        t = min(x[1] for x in runs)
        print(f"import {N:,} JSONL docs: sqlite3.executemany {N / b:,.0f} docs/s, tagdesk {N / t:,.0f} docs/s")
        print(f"ratio tagdesk/raw = {b / t:.2f}  (aim >= 0.5)")


if __name__ == "__main__":
    main()
