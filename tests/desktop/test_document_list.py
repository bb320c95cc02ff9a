"""The lazy document list: pages, filters, search."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QModelIndex, QThreadPool

from desktop.widgets.document_list import DocumentList
from models import store
from models.doclist import PAGE

pytestmark = pytest.mark.backends


def test_5000_documents_load_a_page_at_a_time(project, qtbot):
    with project.writing() as s:
        store.add_documents(
            [store.NewDocument(text=f"Document number {i} about Berlin.") for i in range(5000)], session=s
        )
    view = DocumentList(project)
    qtbot.addWidget(view)
    model = view.list_model
    assert model.total() == 5000
    assert model.rowCount() == PAGE
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * PAGE
    assert view.select_document(4999)  # deep rows are fetched on demand
    assert model.row_of(view.table.currentIndex().row()).id == 4999
    assert view.count.text() == "5,000 documents"


def test_filters_and_search(project, qtbot):
    with project.writing() as s:
        store.add_documents(
            [store.NewDocument(text=t) for t in ["Putin in Moscow", "Merkel in Berlin", "Macron in Paris"]], session=s
        )
    with project.writing() as s:
        store.add_span(2, 0, 6, "PERSON", session=s, annotator=project.annotator)
    with project.writing() as s:
        store.set_status(3, "rejected", session=s, annotator=project.annotator)
    view = DocumentList(project)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.filters_applied, timeout=5000):
        view.search.setText("berlin")
        view.search.returnPressed.emit()
    assert [view.list_model.row_of(i).id for i in range(view.list_model.rowCount())] == [2]
    with qtbot.waitSignal(view.filters_applied, timeout=5000):
        view.search.setText("")
        view.search.returnPressed.emit()
    with qtbot.waitSignal(view.filters_applied, timeout=5000):
        view.status_filter.setCurrentIndex(view.status_filter.findData("rejected"))
    assert [view.list_model.row_of(i).id for i in range(view.list_model.rowCount())] == [3]
    with qtbot.waitSignal(view.filters_applied, timeout=5000):
        view.status_filter.setCurrentIndex(0)
    with qtbot.waitSignal(view.filters_applied, timeout=5000):
        view.label_filter.setCurrentIndex(view.label_filter.findData("PERSON"))
    assert [view.list_model.row_of(i).id for i in range(view.list_model.rowCount())] == [2]
    assert view.count.text() == "1 document"


def test_selecting_the_last_of_20000_documents_loads_rows_in_one_query(project, qtbot, monkeypatch):
    with project.writing() as s:
        store.add_documents(
            [store.NewDocument(text=f"Document {i} about {'Berlin' if i % 2 else 'Paris'}.") for i in range(20_000)],
            session=s,
        )
    view = DocumentList(project)
    qtbot.addWidget(view)
    pages = []
    real = store.document_rows

    def rows(**kw):
        found = real(**kw)
        pages.append(len(found))
        return found

    monkeypatch.setattr(store, "document_rows", rows)
    assert view.select_document(20_000)
    assert view.current_document() == 20_000
    assert view.list_model.row_for(20_000) == 19_999
    assert pages[0] == 20_000 - PAGE and not any(pages[1:])  # one query (and the empty page after the last row)
    with qtbot.waitSignal(view.filters_applied, timeout=10_000):
        view.search.setText("berlin")
        view.search.returnPressed.emit()  # filters change: the current document is found again
    assert view.current_document() == 20_000
    assert view.list_model.row_for(20_000) == 9_999
    assert len([n for n in pages if n]) <= 3
    assert not view.select_document(19_999)  # "Document 19998 about Paris" is hidden by the search


def test_filter_changes_are_read_off_the_gui_thread_and_stale_results_are_dropped(project, qtbot, monkeypatch):
    with project.writing() as s:
        store.add_documents(
            [store.NewDocument(text=t) for t in ["Merkel in Berlin", "Macron in Paris", "Scholz in Berlin"]], session=s
        )
    view = DocumentList(project)
    qtbot.addWidget(view)
    gui = threading.get_ident()
    counted, release = [], threading.Event()
    real = store.count_documents

    def count(**kw):
        counted.append((kw["filters"].search, threading.get_ident()))
        if kw["filters"].search == "berlin":
            release.wait(5)  # the first search is slow: its result arrives last
        return real(**kw)

    monkeypatch.setattr(store, "count_documents", count)
    view.search.setText("berlin")
    view.search.returnPressed.emit()
    qtbot.waitUntil(lambda: any(s == "berlin" for s, _t in counted), timeout=5000)
    assert view.count.text() == "Searching…"  # the window stays responsive meanwhile
    with qtbot.waitSignal(view.filters_applied, timeout=5000):
        view.search.setText("paris")
        view.search.returnPressed.emit()
    assert [view.list_model.row_of(i).id for i in range(view.list_model.rowCount())] == [2]
    release.set()
    assert QThreadPool.globalInstance().waitForDone(5000)
    qtbot.wait(50)  # the stale "berlin" result is delivered now, and dropped
    assert [view.list_model.row_of(i).id for i in range(view.list_model.rowCount())] == [2]
    assert view.count.text() == "1 document"
    assert all(thread != gui for _s, thread in counted)
