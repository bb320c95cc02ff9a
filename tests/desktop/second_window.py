"""Another annotation window in its own process: opens the project offscreen and presses keys, like a second
Tagdesk on the same project (tests/desktop/test_others_changes.py).

    python second_window.py PROJECT SETTINGS.ini KEYS

KEYS is a string of decision keys ("a", "x", " "); each is pressed on the window and saved before the next. Prints
"done <document on screen>" when all are saved.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for tests.desktop.helpers

import spacy
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.main_window import MainWindow
from desktop.snapping import Snapper
from models.project import open_project
from tests.desktop.helpers import settle

KEYS = {"a": Qt.Key.Key_A, "x": Qt.Key.Key_X, " ": Qt.Key.Key_Space}
MODEL_KEY = "test-model@1"  # as in tests/desktop/conftest.py


def main() -> int:
    folder, settings, keys = sys.argv[1], sys.argv[2], sys.argv[3]
    app = QApplication.instance() or QApplication([])
    project = open_project(folder)
    window = MainWindow(project, settings=QSettings(settings, QSettings.Format.IniFormat), background=False)
    window.session.snapper = Snapper(spacy.blank("en").tokenizer)
    window.session.set_model_key(MODEL_KEY)
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.activateWindow()
    window.windowHandle().requestActivate()
    for _ in range(200):
        if window.isActiveWindow():
            break
        QTest.qWait(10)
    window.text.setFocus()
    for key in keys:
        QTest.keyClick(window.text, KEYS[key])
        settle(window)
    print(f"done {window.session.document_id}", flush=True)
    window.close()
    project.close()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
