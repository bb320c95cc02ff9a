"""The lazy document list: pages, filters, search."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex

from desktop.widgets.document_list import PAGE, DocumentList
from models import store


def test_5000_documents_load_a_page_at_a_time(project, qtbot):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=f"Document number {i} about Berlin.") for i in range(5000)],
                            session=s)
    view = DocumentList(project)
    qtbot.addWidget(view)
    model = view.list_model
    assert model.total() == 5000
    assert model.rowCount() == PAGE
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * PAGE
    assert view.select_document(4999)                 # deep rows are fetched on demand
    assert model.row_of(view.table.currentIndex().row()).id == 4999
    assert view.count.text() == "5,000 documents"


def test_filters_and_search(project, qtbot):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=t) for t in ["Putin in Moscow", "Merkel in Berlin",
                                                                 "Macron in Paris"]], session=s)
    with project.writing() as s:
        store.add_span(2, 0, 6, "PERSON", session=s, annotator=project.annotator)
    with project.writing() as s:
        store.set_status(3, "rejected", session=s, annotator=project.annotator)
    view = DocumentList(project)
    qtbot.addWidget(view)
    view.search.setText("berlin")
    view.search.returnPressed.emit()
    assert [view.list_model.row_of(i).id for i in range(view.list_model.rowCount())] == [2]
    view.search.setText("")
    view.search.returnPressed.emit()
    view.status_filter.setCurrentIndex(view.status_filter.findData("rejected"))
    assert [view.list_model.row_of(i).id for i in range(view.list_model.rowCount())] == [3]
    view.status_filter.setCurrentIndex(0)
    view.label_filter.setCurrentIndex(view.label_filter.findData("PERSON"))
    assert [view.list_model.row_of(i).id for i in range(view.list_model.rowCount())] == [2]
    assert view.count.text() == "1 document"


def test_selecting_the_last_of_20000_documents_loads_rows_in_one_query(project, qtbot, monkeypatch):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=f"Document {i} about {'Berlin' if i % 2 else 'Paris'}.")
                             for i in range(20_000)], session=s)
    view = DocumentList(project)
    qtbot.addWidget(view)
    pages = []
    real = store.document_rows
    monkeypatch.setattr(store, "document_rows", lambda **kw: pages.append(kw) or real(**kw))
    assert view.select_document(20_000)
    assert view.current_document() == 20_000
    assert view.list_model.row_for(20_000) == 19_999
    assert len(pages) <= 1                             # not 100 pages of OFFSET queries
    view.search.setText("berlin")
    view.search.returnPressed.emit()                   # filters change: the current document is found again
    assert view.current_document() == 20_000
    assert view.list_model.row_for(20_000) == 9_999
    assert len(pages) <= 3
    assert not view.select_document(19_999)             # "Document 19998 about Paris" is hidden by the search
