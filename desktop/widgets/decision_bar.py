"""Accept / Reject / Ignore / Back as buttons under the text, for mouse users, each showing its key. A button
triggers the same action as the key, so both do exactly the same."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolButton, QWidget

from .flow_layout import FlowLayout

NAMES = ("Accept", "Reject", "Ignore", "Back")


class DecisionBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("decisionBar")
        self.buttons: dict[str, QToolButton] = {}
        # the buttons wrap to a second row in a narrow window instead of being cut
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        row = FlowLayout(self, spacing=6)
        row.setContentsMargins(0, 8, 0, 0)
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
        self.hint.setMinimumHeight(self.buttons["Accept"].sizeHint().height())  # on the buttons' line
        self.hint.setAlignment(Qt.AlignmentFlag.AlignVCenter)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.hint.setVisible(event.size().width() >= 560)  # in a narrow window the buttons need the room

    def set_actions(self, accept: QAction, reject: QAction, ignore: QAction, back: QAction) -> None:
        for name, action in zip(NAMES, (accept, reject, ignore, back), strict=True):
            button = self.buttons[name]
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            button.setText(f"{name}  ·  {keys}")
            button.setToolTip(f"{action.text().replace('&', '')} ({keys})")
            button.clicked.connect(action.trigger)
