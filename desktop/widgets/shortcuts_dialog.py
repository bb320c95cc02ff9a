"""Help -> Keyboard shortcuts: every action with its keys, grouped as in the menus."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

# How the keys that act on the selection behave, said once beside the list.
SELECTION = (
    "Keys act on the selected entity and leave the selection where it is: a label key relabels it (the "
    "active label stays), Enter accepts a suggestion, Delete removes it. Only Tab and Shift+Tab move the "
    "selection. With nothing selected, a label key chooses the active label for new entities."
)

MOUSE = [
    ("Drag over words", "New entity with the active label, snapped to whole tokens"),
    ("Alt+drag (or Ctrl+drag)", "New entity over exactly the characters dragged"),
    ("Double-click a word", "One-token entity"),
    ("Click an entity", "Select it"),
]


def shortcut_text(action: QAction) -> str:
    keys = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()]
    return "   ".join(k for k in keys if "Backtab" not in k)  # Shift+Backtab is how X11 reports Shift+Tab


class ShortcutsDialog(QDialog):
    def __init__(self, groups: list[tuple[str, list[QAction]]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(620, 640)
        tree = QTreeWidget(self)
        tree.setObjectName("shortcutTree")
        tree.setColumnCount(2)
        tree.setHeaderLabels(["Keys", "Action"])
        tree.setRootIsDecorated(False)
        tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for title, actions in [*groups, ("Mouse", [])]:
            rows = [(shortcut_text(a), a.text().replace("&", "")) for a in actions if a.shortcuts()]
            if title == "Mouse":
                rows = MOUSE
            if not rows:
                continue  # a heading with nothing under it says nothing
            head = QTreeWidgetItem(tree, ["", title])
            font = head.font(1)
            font.setBold(True)
            head.setFont(1, font)
            for keys, what in rows:
                QTreeWidgetItem(tree, [keys, what])
        self.tree = tree
        self.note = QLabel(SELECTION, self)
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(tree)
        layout.addWidget(buttons)
