"""Labels → Edit labels: add, rename, recolour, change the key, reorder and remove the project's labels, through
`models.labels` (what `tagdesk labels` calls). A rename goes on the undo stack (Ctrl+Z renames it back); removing
a label that entities carry asks first and says how many there are."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models import labels as ops
from models.errors import TagdeskError

from .. import undo

if TYPE_CHECKING:
    from ..main_window import MainWindow


def swatch(color: str) -> QIcon:
    pix = QPixmap(16, 16)
    pix.fill(QColor(color))
    return QIcon(pix)


class LabelsDialog(QDialog):
    def __init__(self, window: MainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("labelsDialog")
        self.setWindowTitle("Labels")
        self.resize(520, 440)
        self.window_ = window
        self.project = window.project
        self.list = QListWidget(self)
        self.list.setObjectName("labelList")
        self.hint = QLabel(
            "Labels are shared by everyone on this project. Renaming one renames its entities (Ctrl+Z undoes it).",
            self,
        )
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.buttons = {}
        side = QVBoxLayout()
        for name, slot in [
            ("Add…", self.add),
            ("Rename…", self.rename),
            ("Colour…", self.recolor),
            ("Key…", self.rekey),
            ("Move up", lambda: self.move_selected(-1)),
            ("Move down", lambda: self.move_selected(1)),
            ("Remove…", self.remove),
        ]:
            b = QPushButton(name, self)
            b.clicked.connect(slot)
            self.buttons[name] = b
            side.addWidget(b)
        side.addStretch(1)
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)
        side.addWidget(close)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addLayout(row, 1)
        layout.addWidget(self.error)
        window.session.labels_changed.connect(self.fill)
        self.fill()

    def fill(self) -> None:
        current = self.selected()
        self.list.clear()
        for lab in self.project.config.labels:
            usage = ops.label_usage(self.project, lab.name)
            text = f"{lab.name}    key {lab.key or '—'}    {ops.describe_usage(usage)}"
            item = QListWidgetItem(swatch(lab.color), text)
            item.setData(Qt.ItemDataRole.UserRole, lab.name)
            self.list.addItem(item)
            if lab.name == current:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)

    def selected(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _do(self, fn: Callable[[], object]) -> bool:
        """Run a label change; a refusal is shown under the list. The window shows the labels again."""
        try:
            fn()
        except TagdeskError as exc:
            self.error.setText(str(exc))
            return False
        self.error.clear()
        self.window_.session.labels_changed.emit()
        return True

    # -- each change (the input dialogs are separate methods so tests can give the answers)
    def ask_text(self, title: str, prompt: str, value: str = "") -> str | None:
        text, ok = QInputDialog.getText(self, title, prompt, text=value)
        return text if ok else None

    def ask_color(self, value: str) -> str | None:
        color = QColorDialog.getColor(QColor(value), self, "Label colour")
        return color.name() if color.isValid() else None

    def confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Remove label", text)
        return answer == QMessageBox.StandardButton.Yes

    def add(self) -> None:
        name = self.ask_text("Add a label", "Name of the new label:")
        if name:
            self._do(lambda: ops.add_label(self.project, name.strip()))
            self._select(name.strip())

    def rename(self) -> None:
        old = self.selected()
        if old is None:
            return
        new = self.ask_text("Rename label", f"New name for {old} (its entities are renamed too):", old)
        if not new or new.strip() == old:
            return
        new = new.strip()
        command = undo.RenameLabel(self.window_.session, old, new)
        session = self.window_.session

        def renamed() -> None:
            self.error.clear()
            entities = f"{command.count} entit{'y' if command.count == 1 else 'ies'}"
            session.message.emit(f"Renamed {old} to {new} ({entities}); Ctrl+Z undoes it")
            self._select(new)

        # like every edit, through the session's writer (after a decision being saved); a refusal is a message
        session.run_command(command, then=renamed)

    def recolor(self) -> None:
        name = self.selected()
        lab = self.project.config.label(name) if name else None
        if lab is None:
            return
        color = self.ask_color(lab.color)
        if color:
            self._do(lambda: ops.recolor_label(self.project, lab.name, color))

    def rekey(self) -> None:
        name = self.selected()
        lab = self.project.config.label(name) if name else None
        if lab is None:
            return
        key = self.ask_text("Shortcut key", f"Key for {lab.name} (one character, empty for none):", lab.key)
        if key is not None:
            self._do(lambda: ops.rekey_label(self.project, lab.name, key.strip()))

    def move_selected(self, step: int) -> None:
        name = self.selected()
        if name is None:
            return
        place = self.project.config.label_names.index(name)
        self._do(lambda: ops.move_label(self.project, name, max(0, place + step)))
        self._select(name)

    def remove(self) -> None:
        name = self.selected()
        if name is None:
            return
        usage = ops.label_usage(self.project, name)
        if usage.spans:
            ask = f"{name} is on {ops.describe_usage(usage)}. Remove the label and those entities?"
        else:
            ask = f"Remove the label {name}? No entity carries it."
        if self.confirm(ask):
            self._do(lambda: ops.remove_label(self.project, name, with_spans=True))

    def _select(self, name: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(i)
