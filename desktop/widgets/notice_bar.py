"""A dismissible bar above the text for a lasting problem the annotator should read in full (e.g. why there are
no suggestions, with the command that fixes it). Short notices stay in the status bar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


class NoticeBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.label = QLabel(self)
        self.label.setObjectName("noticeText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # copy the fix
        close = QToolButton(self)
        close.setObjectName("noticeClose")
        close.setText("×")
        close.setToolTip("Dismiss")
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the text view
        close.clicked.connect(self.dismiss)
        self._messages: list[str] = []
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 6, 8)
        row.addWidget(self.label, 1)
        row.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str) -> None:
        """Show `text` below any message already shown (each once) until the annotator dismisses them."""
        if text not in self._messages:
            self._messages.append(text)
        self.label.setText("\n\n".join(self._messages))
        self.show()

    def dismiss(self) -> None:
        self._messages.clear()
        self.hide()
