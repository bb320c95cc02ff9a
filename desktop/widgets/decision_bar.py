"""Accept / Reject / Ignore / Back as buttons under the text, for mouse users, each showing its key. A button
triggers the same action as the key, so both do exactly the same."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

NAMES = ("Accept", "Reject", "Ignore", "Back")


class DecisionBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("decisionBar")
        self.buttons: dict[str, QToolButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 8, 0, 0)
        row.setSpacing(6)
        self.hint = QLabel("This document:", self)
        self.hint.setObjectName("hint")
        row.addWidget(self.hint)
        for name in NAMES:
            button = QToolButton(self)
            button.setObjectName("decisionButton")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay with the text
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.buttons[name] = button
            row.addWidget(button)
        row.addStretch(1)

    def set_actions(self, accept: QAction, reject: QAction, ignore: QAction, back: QAction) -> None:
        for name, action in zip(NAMES, (accept, reject, ignore, back), strict=True):
            button = self.buttons[name]
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            button.setText(f"{name}  ·  {keys}")
            button.setToolTip(f"{action.text().replace('&', '')} ({keys})")
            button.clicked.connect(action.trigger)
