"""The search index after an import: SQLite's is filled afterwards (a watermark says how far), search finds every
document before and after it caught up, and removing documents keeps the index sound."""

from __future__ import annotations

import sqlite3

import pytest
from alembic import command
from sqlalchemy.exc import OperationalError

from models import store
from models.db.dialect import is_postgresql, search_watermark
from models.db.engine import _alembic_config
from models.errors import DatabaseError
from models.store import documents, imports

pytestmark = pytest.mark.backends


def _ids(project, query):
    with project.session() as s:
        rows = store.document_rows(session=s, annotator=project.annotator, filters=store.ListFilters(search=query))
    return [r.id for r in rows]


def _watermark(project):
    with project.session() as s:
        return search_watermark(s.connection())


def _add(project, texts):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=t) for t in texts], session=s)


def _catch_up(project, **kw):
    with project.writing() as s:
        return store.catch_up_search(s, **kw)


def _varint(data: bytes) -> int:
    value = 0
    for byte in data[:9]:
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            break
    return value


def _index_rows(project):
    """How many rows SQLite's index counts (its averages record) and how many documents are at or below the
    watermark: equal in a sound index (a 'delete' of a row never added lowers the first)."""
    con = sqlite3.connect(project.database_path)
    try:
        record = con.execute("SELECT block FROM document_fts_data WHERE id = 1").fetchone()
        counted = _varint(record[0]) if record else 0
        below = con.execute("SELECT count(*) FROM document WHERE id <= (SELECT upto FROM search_indexed)").fetchone()[0]
        con.execute("INSERT INTO document_fts (document_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        con.close()
    return counted, below


def test_search_finds_imported_documents_before_and_after_the_index_caught_up(project):
    _add(project, ["Ada Lovelace wrote notes.", "Charles Babbage built engines."])
    pg = is_postgresql(project.engine)
    assert _watermark(project) == 0  # PostgreSQL indexes at import and keeps the row unused
    assert _ids(project, "lovelace") == [1]
    assert _ids(project, "ENGINES") == [2]
    assert _ids(project, "ab") == [2]  # shorter than a trigram: a scan
    assert _catch_up(project) == (0 if pg else 2)
    assert _watermark(project) == (0 if pg else 2)
    _add(project, ["Grace Hopper wrote compilers."])  # indexed ones and a pending one, in one search
    assert _ids(project, "wrote") == [1, 3]
    assert _catch_up(project) == (0 if pg else 1)
    assert _ids(project, "wrote") == [1, 3]
    assert _ids(project, "nothing like it") == []


def test_the_catch_up_moves_the_watermark_in_bounded_steps_and_is_idempotent(project):
    if is_postgresql(project.engine):
        pytest.skip("PostgreSQL indexes at import")
    _add(project, [f"document number {i} of many" for i in range(1, 26)])
    seen = []

    def stop():
        seen.append(_watermark(project))  # committed after every step: another connection sees it
        return len(seen) > 2

    assert _catch_up(project, batch=10, should_stop=stop) == 20
    assert seen == [0, 10, 20]
    assert _ids(project, "number 25 of") == [25]
    assert _catch_up(project, batch=10) == 5
    assert _watermark(project) == 25
    assert _catch_up(project, batch=10) == 0
    assert _watermark(project) == 25
    assert _ids(project, "number 25 of") == [25]
    assert len(_ids(project, "of many")) == 25
    assert _index_rows(project) == (25, 25)


def test_a_failed_import_with_documents_on_both_sides_of_the_watermark_leaves_the_index_sound(project, monkeypatch):
    if is_postgresql(project.engine):
        pytest.skip("SQLite's index")
    _add(project, ["an earlier text"])
    monkeypatch.setattr(imports, "CHUNK_SECONDS", 0.0)  # commit after every batch
    monkeypatch.setattr(imports, "PAUSE_SECONDS", 0.0)
    real = documents._store_batch
    calls = {"n": 0}

    def catching_up_then_failing(conn, batch, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OperationalError("INSERT INTO document", {}, sqlite3.OperationalError("disk I/O error"))
        real(conn, batch, **kw)
        if calls["n"] == 1:  # the first batch gets indexed before the import fails
            while documents.index_pending(conn, 100):
                pass

    monkeypatch.setattr(documents, "_store_batch", catching_up_then_failing)
    docs = [store.NewDocument(text=f"failed text {i}") for i in range(3 * documents.BATCH_DOCUMENTS)]
    with pytest.raises(DatabaseError, match="the disk reported an error"), project.writing() as s:
        store.add_documents(docs, session=s, source="x.jsonl")
    monkeypatch.undo()
    assert _watermark(project) == 1 + documents.BATCH_DOCUMENTS
    assert _index_rows(project) == (1, 1)  # what was indexed of the failed import is out again, nothing more
    # the next documents take the removed ids again, at or below the watermark: indexed at once
    _add(project, [f"later text {i}" for i in range(3)])
    assert _index_rows(project) == (4, 4)
    assert _ids(project, "later text 2") == [4]
    assert _ids(project, "failed text") == []
    assert _catch_up(project) == 0


def test_an_upgrade_from_0011_says_every_document_is_indexed(project):
    _add(project, ["Ada Lovelace wrote notes.", "Charles Babbage built engines."])
    _catch_up(project)
    _add(project, ["Grace Hopper wrote compilers."])  # not indexed yet on SQLite: the downgrade catches up first
    with project.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0011_row_security")
        assert "search_indexed" not in _tables(conn)
        command.upgrade(_alembic_config(conn), "head")
    assert _watermark(project) == 3
    assert _ids(project, "wrote") == [1, 3]
    if not is_postgresql(project.engine):
        assert _index_rows(project) == (3, 3)


def _tables(conn):
    from sqlalchemy import inspect

    return inspect(conn).get_table_names()


def test_a_copy_of_a_project_with_documents_not_indexed_yet_is_indexed_whole(project, tmp_path):
    from models.db.engine import make_engine
    from models.db.transfer import copy_database

    _add(project, ["Ada Lovelace wrote notes.", "Charles Babbage built engines."])
    _catch_up(project)
    _add(project, ["Grace Hopper wrote compilers."])
    target = tmp_path / "copy.sqlite"
    copy_database(project.engine, f"sqlite:///{target}")
    engine = make_engine(f"sqlite:///{target}")
    try:
        with store.reading(engine) as s:
            assert search_watermark(s.connection()) == 3
            rows = store.document_rows(session=s, annotator="ann", filters=store.ListFilters(search="wrote"))
            assert [r.id for r in rows] == [1, 3]
    finally:
        engine.dispose()
    con = sqlite3.connect(target)
    try:
        assert con.execute("SELECT count(*) FROM document_fts_docsize").fetchone() == (3,)
    finally:
        con.close()


def test_a_catch_up_step_of_long_texts_stops_at_its_character_budget(project, monkeypatch):
    if is_postgresql(project.engine):
        pytest.skip("PostgreSQL indexes at import")
    from models.db import dialect

    _add(project, [f"long text {i} " + "word " * 2000 for i in range(1, 7)])  # ~10,000 characters each
    monkeypatch.setattr(dialect, "PENDING_CHARS", 25_000)
    seen = []

    def stop():
        seen.append(_watermark(project))
        return False

    assert _catch_up(project, batch=1000, should_stop=stop) == 6
    assert seen == [0, 3, 6]  # three texts a transaction (the third crosses the budget), not all six at once
    assert _ids(project, "long text 5 ") == [5] and _index_rows(project) == (6, 6)
