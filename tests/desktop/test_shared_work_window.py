"""The window in a team with overlap: after a decision the next document it shows is one that fewer than two
others hold, and it is claimed for this annotator (so a teammate's desktop is not given it as well)."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt

from models import store
from models.settings import set_overlap
from tests.desktop.helpers import press


def test_next_document_is_claimed_and_full_ones_are_skipped(make_window, qtbot):
    texts = [f"Article {i} about Berlin and Paris." for i in range(4)]
    w = make_window(texts)  # the window's annotator is "ann"
    project = w.project
    with project.writing() as s:  # alice and bob decided the second document: with overlap 2 it is full
        for who in ("alice", "bob"):
            store.decide(2, "accepted", session=s, annotator=who)
    set_overlap(project, 2)
    project.refresh()
    assert w.session.document_id == 1
    press(qtbot, w, Qt.Key.Key_A)
    assert w.session.document_id == 3  # the second is skipped: two others hold it
    con = sqlite3.connect(project.database_path)
    held = con.execute("select document_id, annotator from claim").fetchall()
    con.close()
    assert held == [(3, "ann")]
