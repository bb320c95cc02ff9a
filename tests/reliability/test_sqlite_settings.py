"""The SQLite safety settings hold on every connection, and where a file system refuses the write-ahead log the
project falls back to the rollback journal with synchronous=FULL and says so, lastingly; it refuses to open only
when FULL cannot be set."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from models import store
from models.db import engine as engine_mod
from models.errors import DatabaseError
from models.project import open_project

FULL = 2


def pragmas(project) -> dict[str, object]:
    with project.engine.connect() as conn:
        return {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "trusted_schema", "foreign_keys")
        }


def test_a_normal_project_is_wal_with_synchronous_full_and_untrusted_schema(project):
    assert pragmas(project) == {"journal_mode": "wal", "synchronous": FULL, "trusted_schema": 0, "foreign_keys": 1}
    assert project.warnings == []


def test_where_wal_is_refused_the_rollback_journal_is_used_with_full_and_a_lasting_notice(
    make_project, no_shared_memory, cli
):
    project = make_project()
    assert pragmas(project) == {"journal_mode": "delete", "synchronous": FULL, "trusted_schema": 0, "foreign_keys": 1}
    assert len(project.warnings) == 1 and "write-ahead log" in project.warnings[0]
    assert "rollback journal with synchronous=FULL" in project.warnings[0]
    with project.writing() as s:  # it works, durably
        store.add_documents([store.NewDocument(text="Ada met Bob.")], session=s)
    with project.writing() as s:
        store.add_span(1, 0, 3, "PERSON", session=s, annotator="ann")
    code, out, err = cli("stats", project.folder)  # the command line says it, every time
    assert code == 0 and "1 documents" in out
    assert err.count("tagdesk: note:") == 1 and "write-ahead log" in err


def test_a_database_where_synchronous_full_cannot_be_set_is_refused(tmp_path):
    con = sqlite3.connect(tmp_path / "x.sqlite")

    def no_synchronous(action, arg1, *_rest):
        return sqlite3.SQLITE_DENY if action == sqlite3.SQLITE_PRAGMA and arg1 == "synchronous" else sqlite3.SQLITE_OK

    con.set_authorizer(no_synchronous)
    with pytest.raises(DatabaseError, match="synchronous=FULL.*refusing to open"):
        engine_mod.set_sqlite_pragmas(con, Path(tmp_path / "x.sqlite"))
    con.close()


def test_an_in_memory_database_needs_no_notice():
    engine = engine_mod.make_engine("sqlite://")
    assert engine_mod.durability_notice(engine) is None
    engine.dispose()


def test_a_project_opened_again_keeps_no_stale_notice(make_project):
    project = make_project()
    project.close()
    with open_project(project.folder) as again:
        assert again.warnings == []
