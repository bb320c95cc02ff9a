"""Build tests/data/schema_0001.db: a small project database made by the FIRST schema (Alembic revision 0001).

    python tests/data/make_schema_0001_db.py

The file is committed; this script documents how it was made. It runs the 0001 migration only (never head), then
stores the rows below with plain SQL, so the file keeps the old schema whatever later migrations add.
The upgrade test compares what it finds after migrating with these same rows.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine

REVISION = "0001"
HERE = Path(__file__).resolve().parent
OUT = HERE / "schema_0001.db"
AT = "2026-11-27 09:00:00.000000"

DOCUMENTS = [  # id, text, meta
    (1, "Ada Lovelace met Charles Babbage in London.", {"file": "old.txt"}),
    (2, "Zoë visited the CERN lab in Genève \u200d\U0001f468\u200d\U0001f469 with \u202bמרים\u202c.", {}),
    (3, "Nobody here.", {"source_line": 3}),
]
ANNOTATIONS = [  # id, document_id, annotator, status, version
    (1, 1, "ann", "accepted", 3),
    (2, 2, "ann", "rejected", 1),
]
SPANS = [  # id, annotation_id, start, end, label, origin
    (1, 1, 0, 12, "PERSON", "human"),
    (2, 1, 17, 32, "PERSON", "model"),
    (3, 1, 36, 42, "GPE", "human"),
]
EVENTS = [  # action, document_id, payload
    ("import", None, {"source": "old.txt", "added": 3, "duplicates": 0}),
    ("add_span", 1, {"span_id": 1, "start": 0, "end": 12, "label": "PERSON", "origin": "human", "version": 1}),
    ("add_span", 1, {"span_id": 3, "start": 36, "end": 42, "label": "GPE", "origin": "human", "version": 2}),
    ("set_status", 1, {"status": "accepted", "before": "pending", "added_span_ids": [2], "version": 3}),
    ("set_status", 2, {"status": "rejected", "before": "pending", "added_span_ids": [], "version": 1}),
]


def build(path: Path = OUT) -> Path:
    """Write the revision-0001 database to `path` (replacing it)."""
    from alembic import command

    from models.db.engine import _alembic_config
    from models.store import text_hash

    path.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), REVISION)
    engine.dispose()
    con = sqlite3.connect(path)
    with con:
        for pos, (doc_id, text, meta) in enumerate(DOCUMENTS):
            con.execute(
                "INSERT INTO document (id, text, text_hash, meta, source, position) VALUES (?,?,?,?,?,?)",
                (doc_id, text, text_hash(text), json.dumps(meta), "old.txt", pos),
            )
        for ann_id, doc_id, who, status, version in ANNOTATIONS:
            con.execute(
                "INSERT INTO annotation (id, document_id, annotator, status, seconds_spent, updated_at, "
                "version) VALUES (?,?,?,?,?,?,?)",
                (ann_id, doc_id, who, status, 12.5, AT, version),
            )
        for span in SPANS:
            con.execute(
                'INSERT INTO span (id, annotation_id, start, "end", label, origin, score) VALUES (?,?,?,?,?,?,NULL)',
                span,
            )
        for action, doc_id, payload in EVENTS:
            con.execute(
                "INSERT INTO event (at, annotator, document_id, action, payload) VALUES (?,?,?,?,?)",
                (AT, "ann", doc_id, action, json.dumps(payload)),
            )
    con.execute("PRAGMA journal_mode=DELETE")
    con.execute("VACUUM")
    con.close()
    return path


if __name__ == "__main__":
    print(build())
