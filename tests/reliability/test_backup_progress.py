"""A back-up in steps: progress after each, Cancel between them leaving no file, and one snapshot even though
other connections write while it copies (the read transaction it holds keeps SQLite from restarting it)."""

from __future__ import annotations

import sqlite3

import pytest

from models import store
from models.db import backup
from models.db.backup import BackupCancelledError, backup_project

TEXT = "A document long enough to fill pages of the database quickly. " * 40  # ~2.5 KB


@pytest.fixture
def filled(make_project):
    """A project of ~2 MB: 800 documents."""
    project = make_project()
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=f"{i}: {TEXT}") for i in range(800)], session=s)
    yield project
    project.close()


def leftovers(folder):
    return sorted(p.name for p in (folder / "backups").iterdir()) if (folder / "backups").exists() else []


def documents_in(path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("select count(*) from document").fetchone()[0]
    finally:
        con.close()


@pytest.mark.backends
def test_progress_rises_to_the_whole_and_the_copy_opens(filled, monkeypatch):
    monkeypatch.setattr(backup, "STEP_PAGES", 16)
    seen: list[tuple[int, int]] = []
    result = backup_project(filled.folder, on_progress=lambda done, total: seen.append((done, total)))
    assert len(seen) > 3, seen
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)  # never goes back
    assert seen[-1][0] == seen[-1][1] > 0
    assert result.documents == 800 and documents_in(result.path) == 800
    assert leftovers(filled.folder) == [result.path.name]


@pytest.mark.backends
def test_cancel_between_steps_leaves_no_file(filled, backend, monkeypatch):
    monkeypatch.setattr(backup, "STEP_PAGES", 16)
    seen: list[tuple[int, int]] = []
    with pytest.raises(BackupCancelledError, match="back-up cancelled; no copy was kept"):
        backup_project(filled.folder, on_progress=lambda d, t: seen.append((d, t)), should_stop=lambda: len(seen) >= 2)
    assert len(seen) == 2  # it stopped at once, not after copying everything
    if not backend.is_postgresql:  # (a server's copy reports table by table, its total growing with them)
        assert seen[-1][0] < seen[-1][1]
    assert leftovers(filled.folder) == []  # no copy, no temporary file


@pytest.mark.backends
def test_cancel_as_the_last_step_ends_keeps_nothing_either(filled, monkeypatch):
    monkeypatch.setattr(backup, "STEP_PAGES", 1_000_000)  # one step
    with pytest.raises(BackupCancelledError):
        backup_project(filled.folder, should_stop=lambda: True)
    assert leftovers(filled.folder) == []


def test_a_write_during_the_backup_neither_restarts_it_nor_gets_into_it(filled, monkeypatch):
    """SQLite's (a server's copy is one REPEATABLE READ transaction, tested with the team server)."""
    monkeypatch.setattr(backup, "STEP_PAGES", 16)
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        if not seen:  # another desktop decides while the copy is under way
            with filled.writing() as s:
                store.add_documents([store.NewDocument(text="written meanwhile")], session=s)
        seen.append((done, total))

    result = backup_project(filled.folder, on_progress=progress)
    assert [d for d, _t in seen] == sorted(d for d, _t in seen), "the backup restarted"
    assert documents_in(result.path) == 800  # the snapshot as the backup began
    with filled.session() as s:
        assert store.document_count(session=s) == 801
