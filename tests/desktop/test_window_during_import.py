"""A window used while a real `tagdesk import` of a large file runs in another process: the import commits in
short chunks, so every key pressed meanwhile is saved within moments (not after the import), the window keeps
running its event loop, nothing of the import is listed until it is published, and then all of it is."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from models import store
from tests.desktop.helpers import press, status
from tests.desktop.test_saving_while_locked import LI, MOSCOW, SUGGESTED, TEXTS, Ticks
from tests.reliability.test_import_runs import big_file, running_import, start_import, wait_until_committed

pytestmark = pytest.mark.slow
DOCUMENTS = 40_000  # a few seconds of writing on a quiet machine: many chunks


def test_keys_pressed_during_a_large_import_are_saved_at_once_and_the_import_shows_when_published(
    make_window, qtbot, tmp_path
):
    w = make_window(TEXTS, SUGGESTED)
    folder = w.project.folder
    child = start_import(folder, big_file(tmp_path / "big.jsonl", DOCUMENTS))
    try:
        run_id = wait_until_committed(child, folder, 1)
        ticks = Ticks()
        took = []
        for key in (Qt.Key.Key_A, Qt.Key.Key_X, Qt.Key.Key_Space):  # accept, reject, ignore: each one saved
            started = time.monotonic()
            press(qtbot, w, key)
            took.append(time.monotonic() - started)
        found = running_import(folder)
        assert found is not None and found[0] == run_id, "the import finished before the keys were saved"
        assert [status(w, d) for d in (1, 2, 3)] == ["accepted", "rejected", "ignored"]
        assert w.session.document_id == 4
        assert ticks.count > 0  # the event loop ran while they were saved
        assert w.documents.count.text() == f"{len(TEXTS)} documents"  # the import is not listed yet
        out, err = child.communicate(timeout=600)
        assert child.returncode == 0, err
        qtbot.waitUntil(lambda: w.documents.count.text() == f"{len(TEXTS) + DOCUMENTS:,} documents", timeout=15_000)
        assert w.session.document_id == 4  # still where the annotator was
        press(qtbot, w, Qt.Key.Key_A)
        assert status(w, 4) == "accepted" and w.session.document_id == 5
        with w.project.session() as s:
            spans = store.span_tuples(1, session=s, annotator=w.project.annotator)
        assert [(a, b, lab) for _i, a, b, lab, _o, _sc in spans] == [(*LI, "PERSON"), (*MOSCOW, "GPE")]
        print(f"seconds per key during the import: {[round(t, 2) for t in took]}")
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
