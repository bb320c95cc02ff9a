"""A project whose pipeline is not installed: the window opens, says why there are no suggestions and how to fix
it, and annotation works without them."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt

from models import settings, store
from models.project import open_project
from tests.desktop.helpers import press, status


def test_missing_pipeline_is_explained_and_annotation_still_works(make_project, qtbot, settings_path):
    from desktop.main_window import MainWindow

    first = make_project()
    settings.set_pipeline(first, "no_such_pipe")
    project = open_project(first.folder)
    with project.writing() as s:
        store.add_documents(
            [store.NewDocument(text="Li Qiang met Putin."), store.NewDocument(text="Second.")], session=s
        )
    window = MainWindow(project, settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(window.notice_bar.isVisible, timeout=15000)
    text = window.notice_bar.label.text()
    assert "no_such_pipe" in text and "pip install no_such_pipe" in text
    assert window.status.model.text().startswith("⚠ No suggestions")
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow)
    window.text.setFocus()
    press(qtbot, window, Qt.Key.Key_X)
    assert status(window, 1) == "rejected"
    window.close()
    project.close()
