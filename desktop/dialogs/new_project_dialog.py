"""File → New project (and the start screen's New project): where, the labels with their colours and keys, the
spaCy pipeline chosen from the installed ones (or a folder, or none), and pattern files. Creating it calls
`models.project.new_project`, as `tagdesk new` does."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.config import DEFAULT_PIPELINE, LABEL_KEYS, PALETTE, Label
from models.errors import TagdeskError

from ..contrast import text_on
from ..widgets.pipeline_choice import PipelineChoice

DEFAULT_LABELS = ["PERSON", "ORG", "GPE"]


class NewProjectDialog(QDialog):
    created = Signal(object)  # the new, open Project

    def __init__(self, parent: QWidget | None = None, *, where: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newProjectDialog")
        self.setWindowTitle("New project")
        self.resize(620, 600)
        self.parent_folder = QLineEdit(str(where or Path.home()), self)
        self.parent_folder.setObjectName("projectParent")
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self.choose_parent)
        self.name = QLineEdit("my-project", self)
        self.name.setObjectName("projectName")
        self.where = QLabel(self)
        self.where.setObjectName("hint")
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("newLabels")
        self.table.setHorizontalHeaderLabels(["Label", "Colour", "Key"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(1, 110)
        self.table.setColumnWidth(2, 60)
        for name in DEFAULT_LABELS:
            self.add_label(name)
        label_buttons = QVBoxLayout()
        for text, slot in [("Add", lambda: self.add_label("")), ("Remove", self.remove_label)]:
            b = QPushButton(text, self)
            b.clicked.connect(slot)
            label_buttons.addWidget(b)
        label_buttons.addStretch(1)
        self.pipeline = PipelineChoice(DEFAULT_PIPELINE, self)
        self.pipeline.setObjectName("projectPipeline")
        self.database = QLineEdit(self)
        self.database.setObjectName("projectDatabase")
        self.database.setPlaceholderText("tagdesk.sqlite in the folder; a team's: postgresql+psycopg://host/database")
        self.database.setToolTip(
            "Empty: the database is a file in the project folder. A team gives its PostgreSQL server's URL, "
            "without a password (README: Team setup); a Tagdesk database already there is opened as it is."
        )
        self.patterns = QListWidget(self)
        self.patterns.setObjectName("projectPatterns")
        self.patterns.setMaximumHeight(80)
        add_pattern = QPushButton("Add pattern file…", self)
        add_pattern.clicked.connect(self.choose_patterns)
        self.error = QLabel(self)
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.create_button = QPushButton("Create project", self)
        self.create_button.setObjectName("primary")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.make)
        cancel = QPushButton("Cancel", self)
        cancel.clicked.connect(self.reject)

        parent_row = QHBoxLayout()
        parent_row.addWidget(self.parent_folder, 1)
        parent_row.addWidget(browse)
        labels_row = QHBoxLayout()
        labels_row.addWidget(self.table, 1)
        labels_row.addLayout(label_buttons)
        form = QFormLayout()
        form.addRow("In folder", parent_row)
        form.addRow("Name", self.name)
        form.addRow("", self.where)
        form.addRow("Labels", labels_row)
        form.addRow("Suggestions from", self.pipeline)
        form.addRow("Pattern files", self.patterns)
        form.addRow("", add_pattern)
        form.addRow("Database", self.database)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(cancel)
        bottom.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addWidget(self.error)
        layout.addLayout(bottom)
        self.parent_folder.textChanged.connect(lambda _t: self._show_where())
        self.name.textChanged.connect(lambda _t: self._show_where())
        self._show_where()

    # -- fields
    def folder(self) -> Path:
        return Path(self.parent_folder.text().strip()).expanduser() / self.name.text().strip()

    def _show_where(self) -> None:
        self.where.setText(f"The project will be the folder {self.folder()}")

    def choose_parent(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Where to create the project", self.parent_folder.text())
        if folder:
            self.parent_folder.setText(folder)

    def choose_patterns(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "EntityRuler pattern files", "", "JSONL (*.jsonl);;All (*)")
        for f in files:
            self.patterns.addItem(f)

    # -- labels table
    def add_label(self, name: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        name_item = QTableWidgetItem(name)
        self.table.setItem(row, 0, name_item)
        color = PALETTE[row % len(PALETTE)]
        button = QPushButton(color, self.table)
        button.setProperty("color", color)
        self._paint(button, color)
        button.clicked.connect(lambda _c=False, b=button: self._pick_color(b))
        self.table.setCellWidget(row, 1, button)
        key = QTableWidgetItem(LABEL_KEYS[row] if row < len(LABEL_KEYS) else "")
        key.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table.setItem(row, 2, key)
        if not name:
            self.table.editItem(name_item)

    def _paint(self, button: QPushButton, color: str) -> None:
        button.setText(color)
        button.setStyleSheet(f"background: {color}; color: {text_on(color)}; border-radius: 4px;")

    def _pick_color(self, button: QPushButton) -> None:
        color = QColorDialog.getColor(QColor(button.property("color")), self, "Label colour")
        if color.isValid():
            button.setProperty("color", color.name())
            self._paint(button, color.name())

    def remove_label(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def labels(self) -> list[Label]:
        out = []
        for row in range(self.table.rowCount()):
            name_item, key_item = self.table.item(row, 0), self.table.item(row, 2)
            name = (name_item.text() if name_item else "").strip()
            if not name:
                continue
            color = self.table.cellWidget(row, 1).property("color")
            key = (key_item.text() if key_item else "").strip()
            try:
                out.append(Label(name=name, color=color, key=key))
            except ValidationError as exc:
                raise TagdeskError(f"label {name}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}") from None
        if not out:
            raise TagdeskError("Give the project at least one label")
        return out

    # -- create
    def make(self) -> None:
        from ..app import controller

        try:
            if not self.name.text().strip():
                raise TagdeskError("Give the project a name")
            labels = self.labels()
            patterns = [self.patterns.item(i).text() for i in range(self.patterns.count())]
            project = controller().create(
                self.folder(),
                labels,
                pipeline=self.pipeline.value(),
                patterns=patterns,
                database_url=self.database.text().strip() or None,
            )
        except TagdeskError as exc:
            self.error.setText(str(exc))
            return
        self.accept()
        self.created.emit(project)
