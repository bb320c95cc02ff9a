"""The next document after a decision, and the list paging under a filter that the decisions shrink."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.desktop.helpers import bounded, press, status


def _pending_filter(qtbot, w) -> None:
    docs = w.documents
    with qtbot.waitSignal(docs.filters_applied, timeout=10_000):
        docs.status_filter.setCurrentIndex(docs.status_filter.findData("pending"))
    w.text.setFocus()


def test_420_accepts_under_the_pending_filter_reach_every_document_once_in_order(make_window, qtbot):
    w = make_window([f"Document {i} about Berlin." for i in range(450)])  # more than two pages of the list
    _pending_filter(qtbot, w)
    seen = [w.session.document_id]
    for step in range(420):
        with bounded(10, f"'a' number {step + 1}"):
            press(qtbot, w, Qt.Key.Key_A)
            qtbot.waitUntil(lambda: w.session.document_id != seen[-1], timeout=10_000)
        seen.append(w.session.document_id)
    assert seen == list(range(1, 422))  # every document once, in project order: none skipped, none twice
    assert [status(w, d) for d in (1, 200, 201, 420)] == ["accepted"] * 4
    assert [status(w, d) for d in (421, 450)] == ["pending"] * 2
