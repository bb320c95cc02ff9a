"""A bar above the text while a model trains (its step, loss and score, with Cancel) and after it finished
("F 0.61 → 0.74: use it for suggestions?" with Use and Details)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class TrainingBar(QFrame):
    cancel_clicked = Signal()
    use_clicked = Signal()
    details_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.label = QLabel(self)
        self.label.setObjectName("trainingText")
        self.label.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("trainingProgress")
        self.bar.setMaximumWidth(240)
        self.bar.setMaximumHeight(12)
        self.bar.setTextVisible(False)
        self.cancel = self._button("Cancel", self.cancel_clicked, "Stop training; the current model stays")
        self.use = self._button("Use it", self.use_clicked, "Suggest with the new model from now on")
        self.details = self._button("Details…", self.details_clicked, "Scores per label and the learning curve")
        close = QToolButton(self)
        close.setObjectName("noticeClose")
        close.setText("×")
        close.setToolTip("Dismiss")
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.clicked.connect(self.hide)
        self.close_button = close
        # the text on its own row, the controls under it: readable at any width (800 px too)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.label, 1)
        top.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.bar, 1)
        row.addStretch(0)
        for w in (self.cancel, self.use, self.details):
            row.addWidget(w, 0, Qt.AlignmentFlag.AlignVCenter)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 6, 6, 6)
        column.setSpacing(4)
        column.addLayout(top)
        column.addLayout(row)
        self.hide()

    def _button(self, text: str, signal: SignalInstance, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the text view
        button.setToolTip(tip)
        button.clicked.connect(signal)
        return button

    def show_progress(self, text: str, step: int, total: int) -> None:
        self.label.setText(text)
        if total:
            self.bar.setRange(0, total)
            self.bar.setValue(step)
        else:
            self.bar.setRange(0, 0)
        for w, on in ((self.bar, True), (self.cancel, True), (self.use, False), (self.details, False)):
            w.setVisible(on)
        self.close_button.setVisible(False)
        self.show()

    def show_result(self, text: str, *, offer_use: bool) -> None:
        self.label.setText(text)
        self.bar.hide()
        self.cancel.hide()
        self.use.setVisible(offer_use)
        self.details.show()
        self.close_button.show()
        self.show()

    def show_problem(self, text: str) -> None:
        self.label.setText(text)
        for w in (self.bar, self.cancel, self.use, self.details):
            w.hide()
        self.close_button.show()
        self.show()
