"""The window brings SQLite's search index up to date in the background: when the project opens, and when
documents were added from elsewhere (the watcher sees them); search finds them before that too."""

from __future__ import annotations

from models import store
from models.db.dialect import search_watermark
from models.project import open_project


def _watermark(project):
    with project.session() as s:
        return search_watermark(s.connection())


def test_the_window_indexes_new_documents_in_the_background(make_window, qtbot):
    w = make_window([f"Opening text {i} about Lovelace." for i in range(30)])
    qtbot.waitUntil(lambda: _watermark(w.project) == 30, timeout=10_000)
    with open_project(w.project.folder) as other, other.writing() as s:  # the command line, another window
        store.add_documents([store.NewDocument(text=f"Later text {i} about Hopper.") for i in range(5)], session=s)
    qtbot.waitUntil(lambda: w.documents.count.text() == "35 documents", timeout=10_000)
    qtbot.waitUntil(lambda: _watermark(w.project) == 35, timeout=10_000)
    with w.project.session() as s:
        found = store.document_rows(session=s, annotator="ann", filters=store.ListFilters(search="hopper"))
    assert [r.id for r in found] == [31, 32, 33, 34, 35]
