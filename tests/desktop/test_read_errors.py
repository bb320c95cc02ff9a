"""A database failing during a read shows a status-bar message; unexpected errors show a dialog."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.errors import install_excepthook
from models import store
from models.errors import DatabaseError
from tests.desktop.helpers import press

TEXTS = ["Li Qiang met Putin.", "Merkel in Berlin.", "Macron in Paris."]
DISK = "tagdesk.sqlite: the disk reported an error"


def _fail(*_args, **_kwargs):
    raise DatabaseError(DISK)


@pytest.mark.parametrize("function", ["get_document", "document_index"])
def test_a_failing_read_on_opening_a_document_is_a_status_message(make_window, qtbot, monkeypatch, function, capfd):
    w = make_window(TEXTS)
    assert w.session.document_id == 1
    notices = []
    w.status.notice = notices.append  # what the status bar is asked to show
    monkeypatch.setattr(store, function, _fail)
    press(qtbot, w, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert any(DISK in n and n.startswith("Could not read the project") for n in notices), notices
    if function == "get_document":
        assert w.session.document_id == 1  # the document on screen stays as it was
    assert "Traceback" not in capfd.readouterr().err


def test_back_and_the_counters_report_a_failing_read(make_window, qtbot, monkeypatch, capfd):
    w = make_window(TEXTS)
    press(qtbot, w, Qt.Key.Key_A)
    notices = []
    w.status.notice = notices.append
    monkeypatch.setattr(store, "last_decision", _fail)
    press(qtbot, w, Qt.Key.Key_Backspace)
    assert len(notices) == 1 and DISK in notices[0]
    assert w.session.document_id == 2  # not moved back
    monkeypatch.setattr(store, "decided_since", _fail)
    w._counter_timer.timeout.emit()  # the 30 s refresh of "done today" (read on a thread of its own)
    qtbot.waitUntil(lambda: len(notices) == 2, timeout=5_000)
    assert DISK in notices[1]
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.qt_no_exception_capture  # the application's own hook is under test, not pytest-qt's
def test_an_unexpected_exception_in_a_slot_is_shown_in_a_dialog(qtbot, monkeypatch, capfd):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_excepthook()
    try:
        raise KeyError("no such label")
    except KeyError:
        sys.excepthook(*sys.exc_info())
    boxes = [b for b in QApplication.topLevelWidgets() if isinstance(b, QMessageBox) and b.isVisible()]
    assert len(boxes) == 1
    box = boxes[0]
    assert "KeyError" in box.text() and "no such label" in box.text()
    assert "Traceback" in box.detailedText() and "test_an_unexpected_exception" in box.detailedText()
    assert "KeyError" in capfd.readouterr().err  # still printed
    box.close()


def test_a_failing_read_while_jumping_in_the_list_is_a_message(project, qtbot, monkeypatch):
    from desktop.widgets.document_list import DocumentList

    with project.writing() as s:
        store.add_documents([store.NewDocument(text=f"Doc {i}") for i in range(500)], session=s)
    view = DocumentList(project)
    qtbot.addWidget(view)
    messages = []
    view.message.connect(messages.append)
    monkeypatch.setattr(store, "listed_key", _fail)
    assert not view.select_document(450)  # beyond the first page: its row must be read
    assert len(messages) == 1 and DISK in messages[0]
