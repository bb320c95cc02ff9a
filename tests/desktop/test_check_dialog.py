"""Help → Check the project says what `tagdesk check` says, after the annotator's own decisions in the window."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.desktop.helpers import drag, press


def test_check_after_annotating_in_the_window(make_window, qtbot, cli):
    w = make_window(["Li Qiang met Vladimir Putin.", "Second one."])
    drag(qtbot, w, 13, 27)  # Vladimir Putin
    press(qtbot, w, Qt.Key.Key_A)
    act = next(a for a in w.actions() if a.text() == "&Check the project…")
    act.trigger()
    from desktop.dialogs.check_dialog import CheckDialog

    dialog = next(d for d in w.findChildren(CheckDialog) if d.isVisible())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20_000)
    code, out, _err = cli("check", w.project.folder)
    assert code == 0 and dialog.report.ok
    assert dialog.text.text() == f"Everything is in order.\n\n{out.strip()}"

    # a span changed behind the event log's back (a tool writing to the file directly): the check says so
    con = sqlite3.connect(w.project.database_path)
    con.execute("update span set label = 'ORG'")
    con.commit()
    con.close()
    act.trigger()
    again = [d for d in w.findChildren(CheckDialog) if d.isVisible() and d is not dialog][0]
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.report is not None, timeout=20_000)
    assert not again.report.ok and again.text.text().startswith("A problem was found.")
    assert "does not match" in again.text.text()


def test_help_adds_the_launcher_that_tagdesk_desktop_entry_writes(make_window, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    w = make_window(["One."])
    act = next(a for a in w.actions() if a.text() == "Add Tagdesk to the applications &menu")
    act.trigger()
    entry = tmp_path / "share" / "applications" / "tagdesk.desktop"
    assert "Exec=" in entry.read_text(encoding="utf-8")
    assert (tmp_path / "share" / "icons" / "hicolor" / "scalable" / "apps" / "tagdesk.svg").exists()
    box = w.findChild(QMessageBox, "launcherBox")
    assert str(entry) in box.text()


def test_a_long_check_stops_on_cancel_and_when_the_dialog_closes(make_window, qtbot, monkeypatch):
    import threading

    from desktop.dialogs import check_dialog
    from models import store

    w = make_window(["One."])
    with w.project.writing() as s:  # enough documents for several batches of the replay
        store.add_documents([store.NewDocument(text=f"Document number {i}.") for i in range(2500)], session=s)
    clicked = threading.Event()
    real = check_dialog.check_project

    def check_waiting_after_each_batch(project, *, on_progress, should_stop):
        def progress(done, total):  # the replay waits (in its thread) until the test has pressed the key
            on_progress(done, total)
            clicked.wait(20)

        return real(project, on_progress=progress, should_stop=should_stop)

    monkeypatch.setattr(check_dialog, "check_project", check_waiting_after_each_batch)
    for how in ("cancel", "close"):
        clicked.clear()
        dialog = check_dialog.CheckDialog(w.project, w)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.start()
        task = dialog.panel.task
        stopped, seen = [], []
        task.cancelled.connect(lambda stopped=stopped: stopped.append(True))
        task.progress.connect(seen.append)
        qtbot.waitUntil(lambda seen=seen: bool(seen), timeout=20_000)
        if how == "cancel":
            assert dialog.panel.cancel.isVisible()
            qtbot.mouseClick(dialog.panel.cancel, Qt.MouseButton.LeftButton)
        else:
            dialog.close()
        clicked.set()
        qtbot.waitUntil(lambda stopped=stopped: bool(stopped), timeout=20_000)
        assert dialog.report is None and seen == [(500, 2501)]  # it stopped after the first batch
        if how == "cancel":
            assert dialog.text.text().startswith("The check was stopped")
