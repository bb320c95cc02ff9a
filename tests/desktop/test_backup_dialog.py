"""File → Back up, through its widgets: Ctrl+B then Enter makes the copy (progress shown), Choose… writes where the
user says, and Cancel in the middle of a copy stops it and leaves no file, whole or half-written."""

from __future__ import annotations

import sqlite3
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from models import store
from models.db import backup
from tests.desktop.helpers import press

TEXT = "A document long enough to fill pages of the database quickly. " * 40


def files_in(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def fill(w, n=400):
    with w.project.writing() as s:
        store.add_documents([store.NewDocument(text=f"{i}: {TEXT}") for i in range(n)], session=s)


def test_ctrl_b_enter_backs_up_with_progress_and_choose_writes_there(make_window, qtbot, monkeypatch, tmp_path):
    w = make_window(["One.", "Two."])
    fill(w)
    monkeypatch.setattr(backup, "STEP_PAGES", 8)
    press(qtbot, w, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    from desktop.dialogs.backup_dialog import BackupDialog

    dialog = next(d for d in w.findChildren(BackupDialog) if d.isVisible())
    qtbot.addWidget(dialog)
    shown = []
    dialog.panel.bar.valueChanged.connect(shown.append)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.go, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.backup_result is not None, timeout=20_000)
    assert len(shown) > 2 and shown[-1] == dialog.panel.bar.maximum()  # the bar moved to the end
    assert dialog.backup_result.path.parent == w.project.folder / "backups"
    assert "Backed up to" in dialog.text.text() and "402 documents" in dialog.text.text()

    chosen = tmp_path / "elsewhere" / "mine.sqlite"
    chosen.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(chosen), ""))
    qtbot.mouseClick(
        next(b for b in dialog.findChildren(type(dialog.go)) if b.text() == "Choose…"), Qt.MouseButton.LeftButton
    )
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.backup_result is not None, timeout=20_000)
    assert dialog.backup_result.path == chosen
    con = sqlite3.connect(chosen)
    assert con.execute("select count(*) from document").fetchone() == (402,)
    con.close()


def test_cancel_in_the_middle_keeps_no_file(make_window, qtbot, monkeypatch):
    w = make_window(["One.", "Two."])
    fill(w)
    monkeypatch.setattr(backup, "STEP_PAGES", 1)
    real = backup.backup_project

    def slow_disk(folder, out=None, *, on_progress=None, should_stop=None, **kw):
        def progress(done, total):
            time.sleep(0.005)  # a slow disk: about 5 ms a page
            on_progress(done, total)

        return real(folder, out, on_progress=progress, should_stop=should_stop, **kw)

    import desktop.dialogs.backup_dialog as dialog_module

    monkeypatch.setattr(dialog_module, "backup_project", slow_disk)
    dialog = w.back_up()
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.panel.bar.value() > 0, timeout=10_000)
    assert dialog.panel.label.text().startswith("Copying… ")
    qtbot.mouseClick(dialog.panel.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.text.text() == "Back-up cancelled; no copy was kept.", timeout=10_000)
    assert dialog.backup_result is None and not dialog.panel.isVisible() and dialog.go.isEnabled()
    assert files_in(w.project.folder / "backups") == []  # neither the copy nor its temporary file
