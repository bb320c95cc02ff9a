"""A window sees what other processes changed: a second window's decision, a `tagdesk import` (real processes).
It refreshes the list, the counters and the document on screen without losing the annotator's place."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from tests.desktop.helpers import press, settle, status, stored

HERE = Path(__file__).resolve().parent
TEXT = "Chinese Premier Li Qiang met Vladimir Putin in Moscow on Wednesday."
LI, MOSCOW = (16, 24), (47, 53)
SUGGESTED = {0: [(*LI, "PERSON"), (*MOSCOW, "GPE")]}


def tagdesk(*args) -> subprocess.CompletedProcess:
    code = "import sys; from desktop.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, timeout=120)


def second_window(project, tmp_path, keys: str) -> str:
    done = subprocess.run(
        [sys.executable, str(HERE / "second_window.py"), str(project.folder), str(tmp_path / "b.ini"), keys],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def shown_status(window, doc: int) -> str:
    model = window.documents.list_model
    return model.row_of(model.row_for(doc)).status


def test_a_document_accepted_in_a_second_window_shows_as_accepted_here(make_window, qtbot, tmp_path):
    w = make_window([TEXT, "Second.", "Third."], SUGGESTED)
    press(qtbot, w, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)  # the annotator reads document 2
    press(qtbot, w, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)  # and comes back to document 1
    assert w.session.document_id == 1 and shown_status(w, 1) == "pending"
    assert "done 2" in second_window(w.project, tmp_path, "a")  # another window accepts document 1
    qtbot.waitUntil(lambda: shown_status(w, 1) == "accepted", timeout=10_000)  # the list row ...
    qtbot.waitUntil(lambda: w.session.state.status == "accepted", timeout=5_000)  # ... and the document on screen
    assert [(i.start, i.end, i.label, i.pending) for i in w.session.state.items()] == [
        (*LI, "PERSON", False),
        (*MOSCOW, "GPE", False),
    ]
    qtbot.waitUntil(lambda: w.status.position.text().endswith("accepted"), timeout=5_000)  # read on its thread
    assert w.session.document_id == 1  # the annotator's place is kept
    press(qtbot, w, Qt.Key.Key_Tab)  # and working on the fresh view is not refused
    press(qtbot, w, Qt.Key.Key_2)
    assert stored(w, 1) == [(*LI, "ORG", "model"), (*MOSCOW, "GPE", "model")]


def test_documents_imported_while_the_window_is_open_are_counted_reached_and_queued(make_window, qtbot, tmp_path):
    w = make_window([f"Article number {i} about the news." for i in range(13)])
    for _ in range(10):
        press(qtbot, w, Qt.Key.Key_X)  # documents 1-10 decided
    w.documents.select_document(13)
    settle(w)  # (the counters are read on a thread of their own)
    assert w.session.document_id == 13
    assert w.documents.count.text() == "13 documents" and w.status.position.text().startswith("Doc 13 of 13")
    new = tmp_path / "more.txt"
    new.write_text("A fourteenth article, imported while the window is open.\n", encoding="utf-8")
    done = tagdesk("import", w.project.folder, new)
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: w.documents.count.text() == "14 documents", timeout=10_000)
    qtbot.waitUntil(lambda: w.status.position.text().startswith("Doc 13 of 14"), timeout=5_000)
    assert w.session.document_id == 13  # still where the annotator was
    press(qtbot, w, Qt.Key.Key_A)  # the next pending document is the new one, below
    assert status(w, 13) == "accepted" and w.session.document_id == 14
    assert w.documents.current_document() == 14
    press(qtbot, w, Qt.Key.Key_A)  # then back to the top: 11 and 12 are still pending
    assert w.session.document_id == 11
    press(qtbot, w, Qt.Key.Key_A)
    assert w.session.document_id == 12
    notices = []
    w.session.message.connect(notices.append)
    press(qtbot, w, Qt.Key.Key_A)
    assert notices[-1].startswith("That was the last pending document")
    assert [status(w, d) for d in (11, 12, 14)] == ["accepted"] * 3
