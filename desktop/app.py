"""Start the Qt application on a project. The window appears at once; spaCy and suggestions load behind it."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from models.errors import TagdeskError
from models.project import open_project
from resources import resource_path

from . import tasks
from .errors import install_excepthook


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Tagdesk")
    app.setOrganizationName("Tagdesk")
    app.setWindowIcon(QIcon(str(resource_path("icons", "tagdesk.svg"))))
    return app


def run_app(folder: Path, argv: list[str] | None = None, *, review: bool = False) -> int:
    app = make_app(argv)
    try:
        project = open_project(folder)
    except TagdeskError as exc:
        QMessageBox.critical(None, "Tagdesk cannot open this project", str(exc))
        raise
    from .main_window import MainWindow

    install_excepthook()
    window = MainWindow(project, review=review)
    window.show()
    try:
        return app.exec()
    finally:
        tasks.shutdown()  # no worker may still use the database once it is closed
        project.close()
