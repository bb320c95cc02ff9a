"""The project's annotation guidelines (`guidelines.md` in the project folder, Markdown) in a side panel that F2
shows and hides. The file is read again when it changes on disk; without one, the panel says how to write it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDockWidget, QPushButton, QTextBrowser, QVBoxLayout, QWidget

TEMPLATE = """# Annotation guidelines

Write here what each label means, with examples, and how to decide the hard cases.

## PERSON
People, real or fictional, by name. Not titles alone ("the minister").
"""


class GuidelinesPanel(QDockWidget):
    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__("Guidelines", parent)
        self.setObjectName("guidelinesDock")
        self.path = path
        body = QWidget(self)
        body.setObjectName("guidelinesPanel")
        self.browser = QTextBrowser(body)
        self.browser.setObjectName("guidelinesText")
        self.browser.setOpenExternalLinks(True)
        self.create_button = QPushButton("Create guidelines.md and open it", body)
        self.create_button.clicked.connect(self.create_file)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.create_button)
        self.setWidget(body)
        self.setMinimumWidth(240)
        self.watcher = QFileSystemWatcher(self)
        self.watcher.addPath(str(path.parent))
        self.watcher.directoryChanged.connect(lambda _p: self.reload())
        self.watcher.fileChanged.connect(lambda _p: self.reload())
        self.reload()

    def reload(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            self.browser.setMarkdown(
                f"**No guidelines yet.**\n\nWrite them in `{self.path.name}` in the project folder "
                f"({self.path.parent}), in Markdown: everyone opening the project sees them here."
            )
            self.create_button.show()
            return
        except OSError as exc:
            self.browser.setMarkdown(f"**{self.path} cannot be read** ({exc.strerror}).")
            return
        self.create_button.hide()
        self.browser.setMarkdown(text)
        if str(self.path) not in self.watcher.files():
            self.watcher.addPath(str(self.path))

    def create_file(self) -> None:
        if not self.path.exists():
            self.path.write_text(TEMPLATE, encoding="utf-8")
        self.reload()
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))
