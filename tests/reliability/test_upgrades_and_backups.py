"""Old databases open with the current schema (after a backup copy), migrations match the tables, and
`tagdesk backup` makes a consistent copy while another process writes."""

from __future__ import annotations

import importlib.util
import shutil
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from reliability_helpers import check_project, decisions, make_child_project, read_acks, start_child

from models import store
from models.config import CONFIG_NAME, make_config, save_config
from models.db.backup import backup_sqlite
from models.db.engine import current_revision, head_revision, make_engine, schema_differences, upgrade_database
from models.errors import DatabaseError
from models.project import open_project

DATA = Path(__file__).resolve().parents[1] / "data"
OLD_DB = DATA / "schema_0001.db"


def _fixture_rows():
    spec = importlib.util.spec_from_file_location("make_schema_0001_db", DATA / "make_schema_0001_db.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def project_with_db(folder: Path, db: Path) -> Path:
    folder.mkdir()
    shutil.copyfile(db, folder / "tagdesk.sqlite")
    save_config(make_config("old", ["PERSON", "ORG", "GPE"], annotator="ann"), folder / CONFIG_NAME)
    return folder


def table_rows(path: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    finally:
        con.close()


def test_a_first_schema_database_opens_with_the_current_schema(tmp_path):
    rows = _fixture_rows()
    before = table_rows(OLD_DB)
    assert before["alembic_version"] == [("0001",)]
    folder = project_with_db(tmp_path / "old", OLD_DB)
    head = head_revision()
    with open_project(folder) as project:
        assert project.migrated_from == "0001"
        assert current_revision(project.engine) == head
        with project.session() as s:
            for doc_id, text, meta in rows.DOCUMENTS:
                doc = store.get_document(doc_id, session=s)
                assert (doc.text, doc.meta) == (text, meta)
            spans = [(sp.start, sp.end, sp.label, sp.origin) for sp in store.spans_of(1, session=s, annotator="ann")]
            assert spans == [(start, end, label, origin) for _, _, start, end, label, origin in rows.SPANS]
            assert store.get_document(1, session=s).text[0:12] == "Ada Lovelace"
            for _, doc_id, who, status, version in rows.ANNOTATIONS:
                ann = store.get_annotation(doc_id, session=s, annotator=who)
                assert (ann.status, ann.version) == (status, version)
            assert store.stats(session=s, annotator="ann")["statuses"]["accepted"] == 1
            # the search index was built from the old documents when the migration added it
            assert [
                r.id
                for r in store.document_rows(session=s, annotator="ann", filters=store.ListFilters(search="GENÈVE"))
            ] == [2]
            assert [
                r.id for r in store.document_rows(session=s, annotator="ann", filters=store.ListFilters(search="here"))
            ] == [3]
            ann = store.get_annotation(1, session=s, annotator="ann")
            assert ann.updated_at.tzinfo is not None  # old naive times are read as the UTC they were written in
            assert ann.updated_at.isoformat().startswith("2026-11-27T09:00:00")
        with project.writing() as s:  # the upgraded project takes new decisions
            store.add_span(3, 0, 6, "PERSON", session=s, annotator="ann", expected_version=0)
    backup = folder / "tagdesk.sqlite.bak-0001"
    assert backup.exists() == (head != "0001")
    if backup.exists():  # exactly the old file's content, still at the old schema
        assert table_rows(backup) == before
    with open_project(folder) as again:
        assert again.migrated_from == head
    assert table_rows(OLD_DB) == before  # the committed fixture is never touched


def test_a_database_from_a_newer_tagdesk_is_refused_untouched(tmp_path, make_project):
    project = make_project()
    with project.writing() as s:
        store.add_documents([store.NewDocument(text="kept as it is")], session=s)
    with project.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    project.close()
    before = table_rows(project.database_path)
    with pytest.raises(DatabaseError, match="newer Tagdesk.*upgrade Tagdesk"):
        open_project(project.folder)
    assert table_rows(project.database_path) == before
    assert not list(project.folder.glob("*.bak-*"))


@pytest.mark.backends
def test_the_migrations_at_head_match_the_table_classes(tmp_path, backend):
    engine = make_engine(backend.database_url(empty=True) or f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    upgrade_database(engine)
    with engine.connect() as conn:
        diff = schema_differences(conn, compare_type=True)
    engine.dispose()
    assert diff == [], f"models/db/tables.py and the migrations differ; add a migration: {diff}"


def test_backup_copies_commits_still_in_the_wal(tmp_path, make_project):
    project = make_project()
    db = project.database_path
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint=0")  # keep the commit in tagdesk.sqlite-wal only
    project.close()
    writer.execute(
        "INSERT INTO document (text, text_hash, meta, source, position, length) "
        "VALUES ('only in the wal', 'h', '{}', '', 0, 15)"
    )
    shutil.copyfile(db, tmp_path / "file-copy.sqlite")  # what a plain file copy would keep
    backup_sqlite(db, tmp_path / "copy.sqlite")
    writer.close()
    assert table_rows(tmp_path / "file-copy.sqlite").get("document", []) == []
    assert [r[1] for r in table_rows(tmp_path / "copy.sqlite")["document"]] == ["only in the wal"]
    assert not (tmp_path / "copy.sqlite-wal").exists()


@pytest.mark.slow
def test_tagdesk_backup_is_consistent_while_another_process_writes(tmp_path, cli):
    folder = make_child_project(tmp_path / "proj")
    out = tmp_path / "acks.jsonl"
    child = start_child(folder, 5, 0, out, "--imports")
    try:
        deadline = time.monotonic() + 60
        while len(decisions(read_acks(out))) < 30:
            assert child.poll() is None, child.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline
            time.sleep(0.02)
        acked_before = read_acks(out)
        code, stdout, err = cli("backup", folder, "--out", tmp_path / "copy.sqlite")
        assert child.poll() is None  # the writer was never stopped
        time.sleep(0.2)
        assert len(decisions(read_acks(out))) > len(decisions(acked_before))  # and kept writing
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stderr.close()
    assert code == 0, err
    assert "copy.sqlite" in stdout and "documents" in stdout
    restored = project_with_db(tmp_path / "restored", tmp_path / "copy.sqlite")
    check_project(restored, acked_before)  # a consistent snapshot holding every decision made before it


def test_tagdesk_backup_default_place_and_refusals(tmp_path, cli, make_project):
    project = make_project()
    with project.writing() as s:
        store.add_documents([store.NewDocument(text="one"), store.NewDocument(text="two")], session=s)
    code, out, err = cli("backup", project.folder)
    assert code == 0, err
    copies = list((project.folder / "backups").glob("tagdesk-*.sqlite"))
    assert len(copies) == 1 and "2 documents" in out
    assert len(table_rows(copies[0])["document"]) == 2
    code, _, err = cli("backup", project.folder, "--out", copies[0])
    assert code == 1 and "already exists" in err
    code, _, err = cli("backup", tmp_path / "nowhere")
    assert code == 1 and "no such folder" in err


PROBE_MIGRATION = '''"""a later revision, for the upgrade test only"""
import sqlalchemy as sa
from alembic import op

revision = "9999_probe"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("reliability_probe", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("reliability_probe")
'''


def test_an_upgrade_copies_the_old_database_first_with_the_backup_api(tmp_path, monkeypatch):
    """Whatever the current head, a later revision exists in this test: opening must back up, then migrate."""
    from models.db import engine as engine_mod

    migrations = tmp_path / "migrations"
    shutil.copytree(engine_mod.MIGRATIONS, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "versions" / "9999_probe.py").write_text(PROBE_MIGRATION.format(head=head_revision()))
    monkeypatch.setattr(engine_mod, "MIGRATIONS", migrations)
    folder = project_with_db(tmp_path / "old", OLD_DB)
    before = table_rows(folder / "tagdesk.sqlite")
    with open_project(folder) as project:
        assert project.migrated_from == "0001"
        assert current_revision(project.engine) == "9999_probe"
        with project.writing() as s:  # a decision after the upgrade lives in the new file only
            store.set_status(3, "accepted", session=s, annotator="ann")
    backup = folder / "tagdesk.sqlite.bak-0001"
    assert table_rows(backup) == before
    assert "reliability_probe" in table_rows(folder / "tagdesk.sqlite")
    with open_project(folder, before_upgrade=None) as again:  # already at head: no second backup
        assert again.migrated_from == "9999_probe"
    assert sorted(p.name for p in folder.glob("*.bak-*")) == ["tagdesk.sqlite.bak-0001"]


# Opens a project as a window would, with a backup hook that says when it runs and then waits (up to 3 s) for the
# other process to reach it too: if both ever decide to migrate, both get there.
OPENER = """
import sys, time
from pathlib import Path
from models.project import backup_before_upgrade, open_project

folder, name, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
while not go.exists():
    time.sleep(0.001)

def backup(project, old):
    (go.parent / f"backing-up-{name}").touch()
    print("backing up", old, flush=True)
    deadline = time.monotonic() + 3
    while len(list(go.parent.glob("backing-up-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    backup_before_upgrade(project, old)

with open_project(folder, before_upgrade=backup) as project:
    print("opened, migrated from", project.migrated_from, flush=True)
"""


@pytest.mark.slow
def test_two_processes_opening_an_old_project_at_once_migrate_it_once(tmp_path):
    import subprocess
    import sys

    folder = project_with_db(tmp_path / "old", OLD_DB)
    before = table_rows(folder / "tagdesk.sqlite")
    go = tmp_path / "sync" / "go"
    go.parent.mkdir()
    kids = [
        subprocess.Popen([sys.executable, "-c", OPENER, str(folder), name, str(go)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for name in ("a", "b")
    ]  # fmt: skip
    go.touch()
    results = [kid.communicate(timeout=120) for kid in kids]
    for kid, (_out, err) in zip(kids, results, strict=True):
        assert kid.returncode == 0, err
    outs = sorted(out for out, _err in results)
    head = head_revision()
    # one of them migrated (after a backup), the other waited for it and found the project at the newest schema
    assert outs == sorted(["backing up 0001\nopened, migrated from 0001\n", f"opened, migrated from {head}\n"])
    assert table_rows(folder / "tagdesk.sqlite.bak-0001") == before
    assert sorted(p.name for p in folder.iterdir()) == ["tagdesk.sqlite", "tagdesk.sqlite.bak-0001", "tagdesk.toml"]
    with open_project(folder) as project:
        con = sqlite3.connect(project.database_path)
        assert con.execute("select count(*) from event where action = 'baseline'").fetchone() == (2,)
        con.close()
        from models import check

        assert check.check_project(project).ok


def test_two_backups_at_once_use_their_own_temporary_files(tmp_path, make_project, monkeypatch):
    """The copy is written to a temporary file beside the target first; two copies to one target at once must
    not write into the same temporary file."""
    import threading

    project = make_project()
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=f"text {i}") for i in range(2000)], session=s)
    target = tmp_path / "copy.sqlite"
    errors = []

    def copy():
        try:
            backup_sqlite(project.database_path, target)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=copy) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(table_rows(target)["document"]) == 2000
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("copy")] == ["copy.sqlite"]
