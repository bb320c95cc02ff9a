"""Broken database files and a full disk: a clear DatabaseError, nothing stored is damaged, the project opens
again once the cause is gone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, text

from models import store
from models.errors import DatabaseError
from models.project import open_project
from tests.conftest import unavailable

READ_ONLY_CHILD = """
import json, sys
from models import store
from models.errors import TagdeskError
from models.project import open_project
out = {}
try:
    project = open_project(sys.argv[1])
except TagdeskError as exc:
    print(json.dumps({"open": str(exc)})); sys.exit(0)
with project.session() as s:
    out["documents"] = store.document_count(session=s)
try:
    with project.writing() as s:
        store.add_span(1, 8, 12, "ORG", session=s, annotator="ann")
    out["write"] = "saved"
except TagdeskError as exc:
    out["write"] = str(exc)
project.close()
print(json.dumps(out))
"""


def filled_project(make_project, docs: int = 200):
    project = make_project()
    with project.writing() as s:
        store.add_documents(
            [store.NewDocument(text=f"Alice {i} " + "went to Paris. " * 30) for i in range(docs)], session=s
        )
    for doc in range(1, min(docs, 39) + 1):
        with project.writing() as s:
            store.add_span(doc, 0, 5, "PERSON", session=s, annotator="ann")
    project.close()  # the last connection checkpoints the WAL into the file
    assert not Path(f"{project.database_path}-wal").exists()
    return project


@pytest.mark.parametrize("damage", ["garbage", "half", "first page only"])
def test_a_damaged_database_file_is_refused_with_advice_and_left_as_it_is(make_project, damage):
    project = filled_project(make_project)
    db = project.database_path
    data = db.read_bytes()
    broken = {
        "garbage": b"this is my shopping list, not a database\n" * 200,
        "half": data[: len(data) // 2],
        "first page only": data[:4096],
    }[damage]
    db.write_bytes(broken)
    with pytest.raises(DatabaseError) as err:
        open_project(project.folder)
    msg = str(err.value)
    assert str(db) in msg and "cannot be read" in msg and "restore it from a backup" in msg
    assert "\n" not in msg and "sqlalche.me" not in msg
    assert db.read_bytes() == broken  # Tagdesk did not "repair" it into something worse


def _without_file_permission_override() -> list[str]:
    """Root ignores file modes: run the child without the capabilities that let it."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        unavailable("running as root without setpriv: cannot make a file read-only for the child")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_project_gives_a_clear_message_and_is_not_changed(make_project, what):
    project = filled_project(make_project, docs=3)
    db = project.database_path
    before = db.read_bytes()
    target = db if what == "file" else project.folder
    target.chmod(0o444 if what == "file" else 0o555)
    try:
        run = subprocess.run(
            [*_without_file_permission_override(), sys.executable, "-c", READ_ONLY_CHILD, str(project.folder)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        target.chmod(0o644 if what == "file" else 0o755)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout)
    message = result.get("write") if what == "file" else result.get("open")
    assert message and "read-only" in message and "chmod u+w" in message, result
    if what == "file":
        assert result["documents"] == 3  # reading a read-only project still works
    assert db.read_bytes() == before
    with open_project(project.folder) as again, again.writing() as s:  # writable again: works
        store.add_span(1, 8, 12, "ORG", session=s, annotator="ann")


def test_a_full_disk_refuses_the_change_and_keeps_everything_saved(make_project):
    project = filled_project(make_project, docs=100)
    project = open_project(project.folder)
    with project.engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar()

    @event.listens_for(project.engine, "connect")
    def small_disk(dbapi_conn, _record):  # SQLite's own size limit stands in for a full disk
        dbapi_conn.execute(f"PRAGMA max_page_count={pages + 4}")

    project.engine.dispose()
    saved = []
    with pytest.raises(DatabaseError) as err:
        for i in range(5000):
            doc, start = 40 + i % 60, 10 + 5 * (i // 60)
            with project.writing() as s:
                store.add_span(doc, start, start + 4, "GPE", session=s, annotator="ann")
            saved.append((doc, start))
    assert "disk is full" in str(err.value) and "NOT saved" in str(err.value)
    assert len(saved) > 10
    with pytest.raises(DatabaseError, match="disk is full"):  # an import is all-or-nothing too
        with project.writing() as s:
            store.add_documents([store.NewDocument(text=f"big {i} " + "x" * 20000) for i in range(30)], session=s)
    with project.session() as s:  # the open project is still usable for reading
        assert store.document_count(session=s) == 100
    project.close()
    with open_project(project.folder) as again:  # room again (no limit): all saved decisions are there
        with again.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        with again.session() as s:
            for doc, start in saved:
                assert [
                    (sp.start, sp.label) for sp in store.spans_of(doc, session=s, annotator="ann") if sp.start == start
                ] == [(start, "GPE")]
            events = s.exec(text("SELECT count(*) FROM event WHERE action = 'add_span'")).scalar()
            assert events == 39 + len(saved)  # no span without its event, no event without its span
            assert store.stats(session=s)["spans"] == 39 + len(saved)
        with again.writing() as s:
            store.add_span(1, 6, 8, "ORG", session=s, annotator="ann")
