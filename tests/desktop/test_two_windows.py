"""Two windows on one project (two engines on one SQLite file, as two processes would have): an edit made on a
stale view is refused, the window shows what the other saved, and nothing is overwritten silently."""

from __future__ import annotations

from PySide6.QtCore import Qt

from models.project import open_project
from tests.desktop.helpers import press, stored

TEXT = "Chinese Premier Li Qiang met Vladimir Putin in Moscow on Wednesday."
LI = (16, 24)
MOSCOW = (47, 53)
SUGGESTED = {0: [(*LI, "PERSON"), (*MOSCOW, "GPE")]}


def test_an_edit_on_a_stale_view_is_refused_and_the_view_reloads(make_window, qtbot):
    a = make_window([TEXT, "Second."], SUGGESTED)
    other = open_project(a.project.folder)
    try:
        b = make_window(None, project=other)
        assert b.session.document_id == 1 and ("suggestion", *LI, "PERSON") in b.session.state.pending

        a.activateWindow()
        a.windowHandle().requestActivate()
        qtbot.waitUntil(a.isActiveWindow)
        press(qtbot, a, Qt.Key.Key_Tab)
        press(qtbot, a, Qt.Key.Key_Return)  # A accepts the PERSON suggestion alone
        assert stored(a) == [(*LI, "PERSON", "model")]

        b.activateWindow()
        b.windowHandle().requestActivate()
        qtbot.waitUntil(b.isActiveWindow)
        press(qtbot, b, Qt.Key.Key_Tab)  # B still sees it as a suggestion ...
        assert b.session.selected == ("suggestion", *LI, "PERSON")
        with qtbot.waitSignal(b.session.message) as said:
            press(qtbot, b, Qt.Key.Key_2)  # ... and relabels it: refused
        assert "changed in another window" in said.args[0]
        assert stored(b) == [(*LI, "PERSON", "model")]  # A's decision was not overwritten
        assert [i.key for i in b.session.state.spans] == [("span", *LI)]  # B now shows what A saved
        assert b.session.undo.count() == 0

        press(qtbot, b, Qt.Key.Key_Tab)  # on the fresh view the same edit works
        assert b.session.selected == ("span", *LI)
        press(qtbot, b, Qt.Key.Key_2)
        assert stored(b) == [(*LI, "ORG", "model")]
    finally:
        other.close()
