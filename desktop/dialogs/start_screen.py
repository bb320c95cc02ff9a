"""The start screen, when no project is open: recent projects (Enter or double-click opens one), Open folder,
New project."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models import __version__
from resources import resource_path

from ..app import Controller, recent_projects


class StartScreen(QWidget):
    def __init__(self, controller: Controller) -> None:
        super().__init__()
        self.setObjectName("startScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle("Tagdesk")
        self.setWindowIcon(QIcon(str(resource_path("icons", "tagdesk.svg"))))
        self.resize(760, 520)
        self.setMinimumSize(520, 380)
        self.controller = controller
        title = QLabel("Tagdesk", self)
        title.setObjectName("startTitle")
        sub = QLabel(f"Annotate entities with a model in the loop · version {__version__}", self)
        sub.setObjectName("hint")
        self.recent = QListWidget(self)
        self.recent.setObjectName("recentProjects")
        self.recent.itemActivated.connect(self._open_item)
        self.empty = QLabel("No recent projects yet: create one, or open a project folder.", self)
        self.empty.setObjectName("hint")
        self.new = QPushButton("New project…", self)
        self.new.setObjectName("primary")
        self.new.clicked.connect(lambda: controller.new_project(self))
        self.open = QPushButton("Open folder…", self)
        self.open.clicked.connect(lambda: controller.open_folder(self))
        self.open_selected = QPushButton("Open", self)
        self.open_selected.clicked.connect(lambda: self._open_item(self.recent.currentItem()))
        buttons = QHBoxLayout()
        buttons.addWidget(self.new)
        buttons.addWidget(self.open)
        buttons.addStretch(1)
        buttons.addWidget(self.open_selected)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(sub)
        layout.addSpacing(8)
        layout.addWidget(QLabel("Recent projects", self))
        layout.addWidget(self.recent, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        self.fill()

    def fill(self) -> None:
        self.recent.clear()
        for folder in recent_projects(self.controller.settings):
            exists = (folder / "tagdesk.toml").is_file()
            item = QListWidgetItem(f"{folder.name}\n{folder}" + ("" if exists else "   (not found)"))
            item.setData(Qt.ItemDataRole.UserRole, str(folder))
            if not exists:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.recent.addItem(item)
        has = self.recent.count() > 0
        self.empty.setVisible(not has)
        self.open_selected.setEnabled(has)
        if has:
            self.recent.setCurrentRow(0)
            self.recent.setFocus()

    def _open_item(self, item: QListWidgetItem | None) -> None:
        if item is not None and item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.controller.open(Path(item.data(Qt.ItemDataRole.UserRole)), self)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.controller.start_screen is self:
            self.controller.start_screen = None
        super().closeEvent(event)
