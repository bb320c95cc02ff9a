"""The Import dialog's options that `tagdesk import` has: how a doccano or Label Studio file counts offsets
(detected, or chosen) and whose annotations a file's entities are (`--annotator`), checked in what is stored."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from models import store
from tests.desktop.test_settings_dialog import choose

TEXT = "😀 Ann met Bob in Rome."
#       one emoji: UTF-16 offsets are one more than code points after it; "Ann" is 2-5, UTF-16 3-6


def spans_of(w, annotator):
    with w.project.session() as s:
        doc_id = next(d for d, t in ((i, store.get_document(i, session=s).text) for i in (1, 2, 3, 4)) if t == TEXT)
        return [
            (TEXT[a:b], lab) for _id, a, b, lab, _o, _s in store.span_tuples(doc_id, session=s, annotator=annotator)
        ]


def import_one(w, qtbot, path, *, offsets=None, annotator=None):
    dialog = w.show_import()
    qtbot.addWidget(dialog)
    dialog.add_paths([path])
    qtbot.waitUntil(lambda: not dialog.reading(), timeout=10_000)
    assert dialog.format.currentData() == "doccano"
    assert dialog.form.isRowVisible(dialog.offsets)  # shown for doccano, as --offsets applies to it
    if offsets:
        choose(qtbot, dialog.offsets, offsets)
        qtbot.waitUntil(lambda: not dialog.reading(), timeout=10_000)
    if annotator:
        dialog.annotator.setFocus()
        dialog.annotator.lineEdit().selectAll()
        qtbot.keyClicks(dialog.annotator.lineEdit(), annotator)
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: path.name in dialog.report.toPlainText(), timeout=15_000)
    return dialog


def test_offsets_detected_or_chosen_and_the_annotator_of_the_entities(make_window, qtbot, tmp_path):
    w = make_window(["Something else.", "And more."])
    utf16 = tmp_path / "doccano.jsonl"
    utf16.write_text(json.dumps({"text": TEXT, "label": [[3, 6, "PERSON"], [11, 14, "PERSON"]]}) + "\n", "utf-8")
    dialog = import_one(w, qtbot, utf16, annotator="bea")
    report = dialog.report.toPlainText()
    assert "✓" in report and "offsets: UTF-16" in report, report
    assert spans_of(w, "bea") == [("Ann", "PERSON"), ("Bob", "PERSON")]  # the file's entities are bea's
    assert spans_of(w, w.project.annotator) == []

    # the same file said to count code points: the choice is used, not the detection (the preview shows where the
    # entities fall: one character off, as a user choosing wrongly sees before importing)
    dialog = import_one(w, qtbot, utf16, offsets="code points (Python characters)", annotator="carl")
    assert "offsets: code points" in dialog.report.toPlainText(), dialog.report.toPlainText()
    assert spans_of(w, "carl") == [(TEXT[3:6], "PERSON"), (TEXT[11:14], "PERSON")]
    # not a doccano or Label Studio file: the row is hidden
    plain = tmp_path / "plain.txt"
    plain.write_text("Plain text.", encoding="utf-8")
    dialog.add_paths([plain])
    qtbot.waitUntil(lambda: not dialog.reading(), timeout=10_000)
    assert not dialog.form.isRowVisible(dialog.offsets)
