"""Two windows on one project (two engines on one SQLite file, as two processes would have): an edit made on a
stale view is refused, the window shows what the other saved, and nothing is overwritten silently."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from models.project import open_project
from tests.desktop.helpers import press, stored

pytestmark = pytest.mark.backends

TEXT = "Chinese Premier Li Qiang met Vladimir Putin in Moscow on Wednesday."
LI = (16, 24)
MOSCOW = (47, 53)
SUGGESTED = {0: [(*LI, "PERSON"), (*MOSCOW, "GPE")]}


def test_an_edit_on_a_stale_view_is_refused_and_the_view_reloads(make_window, qtbot):
    a = make_window([TEXT, "Second."], SUGGESTED)
    other = open_project(a.project.folder)
    try:
        b = make_window(None, project=other)
        b.watcher.stop()  # B must still show the old state when the edit is made (the refusal is under test)
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


# Another Tagdesk process: relabels the span at START-END of a document when told to, and says the version it
# wrote. It runs the store's own functions, as a second window would.
OTHER_PROCESS = """
import sys
from models import store
from models.project import open_project

project = open_project(sys.argv[1])
print("ready", flush=True)
for line in sys.stdin:
    doc, start, end, label = line.split()
    with project.writing() as s:
        span = store.span_at(int(doc), int(start), int(end), session=s, annotator=project.annotator)
        written = store.update_span(span.id, label=label, session=s, annotator=project.annotator)
    print(written.version, flush=True)
"""


def test_a_commit_by_another_process_right_after_this_windows_edit_is_not_taken_as_seen(make_window, qtbot):
    """Another process commits in the instant after this window's edit committed. The window must remember the
    version its own edit wrote, not the newer one it never showed: its next edit is then refused, and the other
    process's change stays (it used to read the version again afterwards and overwrite blind)."""
    import subprocess
    import sys

    from sqlalchemy import event
    from sqlalchemy.orm import Session

    a = make_window([TEXT, "Second."], SUGGESTED)
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_PROCESS, str(a.project.folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout.readline() == "ready\n"
        written_by_other = []

        def other_commits_now(_session) -> None:  # the instant after this window's commit
            other.stdin.write(f"1 {LI[0]} {LI[1]} ORG\n")
            other.stdin.flush()
            written_by_other.append(int(other.stdout.readline()))

        event.listen(Session, "after_commit", other_commits_now, once=True)
        press(qtbot, a, Qt.Key.Key_Tab)
        press(qtbot, a, Qt.Key.Key_Return)  # this window accepts the PERSON suggestion
        assert written_by_other == [2]  # the other process relabelled it to ORG right after
        assert stored(a) == [(*LI, "ORG", "model")]
        assert a.session.selected == ("span", *LI)  # this window still shows PERSON, selected
        with qtbot.waitSignal(a.session.message) as said:
            press(qtbot, a, Qt.Key.Key_3)  # GPE, on a view that never showed ORG: refused
        assert "changed in another window" in said.args[0]
        assert stored(a) == [(*LI, "ORG", "model")]  # the other process's change is not overwritten
        assert [(i.key, i.label) for i in a.session.state.spans] == [(("span", *LI), "ORG")]  # reloaded
    finally:
        other.stdin.close()
        other.wait(timeout=30)
