"""A large import in a real `tagdesk import` process never holds the write lock for long: another process's
decisions commit while it runs, nothing of it shows until it is published, it is all there at the end, and one
killed half-way is removed the next time the project opens."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from models import check, store
from models.errors import DatabaseError
from models.project import new_project, open_project
from models.queue import next_document
from models.store import imports

pytestmark = pytest.mark.slow
BIG = 150_000  # documents: several seconds of writing, many chunks


def big_file(path: Path, n: int = BIG, tag: str = "") -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"text": f"Document {tag}{i}: Ada Lovelace met Charles Babbage in London."}) + "\n")
    return path


def project_with_documents(folder: Path) -> Path:
    with new_project(folder, ["PERSON", "ORG", "GPE"], annotator="ann") as project, project.writing() as s:
        store.add_documents([store.NewDocument(text=f"Earlier text {i}.") for i in range(3)], session=s)
    return folder


# `tagdesk import` in a process of its own that, while the file `hold` names exists, rests half a second after
# each chunk it commits (the lock free meanwhile): an import on a slower machine. The test that decides during
# an import holds it back until its decisions are in, or a fast machine finishes the import before them.
HELD_IMPORT = """
import os, sys, time
from models.store import imports
from desktop.cli import main
commit, hold = imports.Chunks.next, sys.argv.pop(1)

def slower(self):
    commit(self)
    if os.path.exists(hold):
        time.sleep(0.5)

imports.Chunks.next = slower
sys.exit(main())
"""


def start_import(folder: Path, path: Path, *, hold: Path | None = None) -> subprocess.Popen:
    command = [sys.executable, "-m", "desktop.cli"] if hold is None else [sys.executable, "-c", HELD_IMPORT, str(hold)]
    return subprocess.Popen(
        [*command, "import", str(folder), str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def running_import(folder: Path) -> tuple[int, int] | None:
    """(run id, documents it has committed so far) of the import under way, read as a bystander would."""
    con = sqlite3.connect(f"file:{folder / 'tagdesk.sqlite'}?mode=ro", uri=True, timeout=10)
    try:
        row = con.execute("select id from import_run where running is not null").fetchone()
        if row is None:
            return None
        return row[0], con.execute("select count(*) from document where import_id = ?", row).fetchone()[0]
    finally:
        con.close()


def wait_until_committed(child: subprocess.Popen, folder: Path, docs: int, timeout: float = 120.0) -> int:
    """Until the importer has committed at least `docs` documents (in chunks) and is still running."""
    deadline = time.monotonic() + timeout
    while True:
        assert child.poll() is None, f"the import ended first: {child.communicate()}"
        assert time.monotonic() < deadline, "the import never committed a chunk"
        found = running_import(folder)
        if found is not None and found[1] >= docs:
            return found[0]
        time.sleep(0.02)


def test_decisions_of_another_process_commit_while_a_big_import_runs_and_it_shows_only_at_the_end(tmp_path):
    folder = project_with_documents(tmp_path / "proj")
    hold = tmp_path / "hold"
    hold.touch()
    child = start_import(folder, big_file(tmp_path / "big.jsonl"), hold=hold)
    try:
        run_id = wait_until_committed(child, folder, 1)
        with open_project(folder) as window:  # another window opens meanwhile: the live import is left alone
            for k in range(5):  # ... and decides: each commits while the import is still under way
                with window.writing() as s:
                    store.decide(1 + k % 3, ("accepted", "rejected")[k % 2], session=s, annotator="ann")
                found = running_import(folder)
                assert found is not None and found[0] == run_id, "the import finished before the decision got in"
                with window.session() as s:  # nothing of the import is listed, counted, exported or suggested yet
                    assert store.document_count(session=s) == 3
                    assert store.count_documents(session=s, annotator="ann") == 3
                    assert len(store.document_rows(session=s, annotator="ann", limit=10)) == 3
                    assert store.stats(session=s, annotator="ann")["documents"] == 3
                    every = ["pending", "accepted", "rejected", "ignored"]
                    assert store.export_document_ids(session=s, annotator="ann", statuses=every) == [1, 2, 3]
                    assert store.documents_lacking_suggestions("m@1", session=s) == [1, 2, 3]
                    assert store.document_index(1, session=s) == (1, 3)
                    if k >= 2:  # all three decided: nothing is left to do, whatever the import has written
                        assert next_document(session=s, annotator="ann", after=3) is None
            hold.unlink()  # the import goes on at full speed
            out, err = child.communicate(timeout=300)
            assert child.returncode == 0, err
            assert f"{BIG} new documents" in out
            with window.session() as s:  # published: all of it at once
                assert store.document_count(session=s) == 3 + BIG
                pending = store.ListFilters(status="pending")
                assert store.count_documents(session=s, annotator="ann", filters=pending) == BIG
            report = check.check_project(window)
            assert report.ok, report.summary()
            assert report.verified.other["import_published"] == 2
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()


def test_an_import_killed_half_way_is_removed_on_the_next_open_and_can_be_run_again(tmp_path):
    folder = project_with_documents(tmp_path / "proj")
    data = big_file(tmp_path / "big.jsonl")
    child = start_import(folder, data)
    run_id = wait_until_committed(child, folder, 2000)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    found = running_import(folder)
    assert found is not None and found[0] == run_id and 0 < found[1] < BIG  # killed with part of it committed
    with open_project(folder) as project:  # the next open removes it
        with project.session() as s:
            assert store.document_count(session=s) == 3
        assert running_import(folder) is None
        con = sqlite3.connect(project.database_path)
        assert con.execute("select count(*) from document").fetchone() == (3,)
        assert con.execute("select count(*) from import_run").fetchone() == (1,)  # the first, published one
        con.close()
        assert check.check_project(project).ok
    again = start_import(folder, data)  # the same file again: every document is new (none taken for a duplicate)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert f"{BIG} new documents" in out and "skipped" not in out


def test_a_second_import_while_one_runs_waits_then_is_refused_with_a_message(tmp_path, cli, monkeypatch):
    monkeypatch.setattr(imports, "BUSY_TIMEOUT_S", 1.0)  # how long a second import waits for the first
    folder = project_with_documents(tmp_path / "proj")
    child = start_import(folder, big_file(tmp_path / "big.jsonl"))
    try:
        wait_until_committed(child, folder, 1)
        small = tmp_path / "small.jsonl"
        small.write_text('{"text": "A small file."}\n', encoding="utf-8")
        started = time.monotonic()
        code, _out, err = cli("import", folder, small)
        assert code == 1 and time.monotonic() - started >= 1.0
        assert "another import into this project is running (big.jsonl, started" in err
        assert "wait until it has finished, then import again" in err
        assert child.communicate(timeout=300)[0].count("new documents") == 1
        assert cli("import", folder, small)[0] == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()


def test_an_import_that_fails_half_way_removes_what_it_wrote(project, monkeypatch):
    """A database error in the third of many chunks: the chunks already committed are removed at once."""
    monkeypatch.setattr(imports, "CHUNK_SECONDS", 0.0)  # commit after every batch
    monkeypatch.setattr(imports, "PAUSE_SECONDS", 0.0)
    from models.store import documents

    real = documents._store_batch
    calls = {"n": 0}

    def failing(conn, batch, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OperationalError("INSERT INTO document", {}, sqlite3.OperationalError("disk I/O error"))
        return real(conn, batch, **kw)

    monkeypatch.setattr(documents, "_store_batch", failing)
    docs = [store.NewDocument(text=f"text {i}") for i in range(5 * documents.BATCH_DOCUMENTS)]
    with pytest.raises(DatabaseError, match="the disk reported an error"), project.writing() as s:
        store.add_documents(docs, session=s, source="x.jsonl")
    con = sqlite3.connect(project.database_path)
    assert con.execute("select count(*) from document").fetchone() == (0,)
    assert con.execute("select count(*) from import_run").fetchone() == (0,)
    con.close()
