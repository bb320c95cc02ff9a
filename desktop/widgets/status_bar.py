"""The status bar: position, done today, documents per hour, the model in use, and background progress with a
cancel button. Short notices (an overlap refused, an error) go to the left as temporary messages."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton, QWidget

from ..messages import SAVING, WAITING_SHORT

BUSY_TIPS = {
    SAVING: "A decision is waiting for the database (another program is writing to it); keys are kept in order",
    WAITING_SHORT: "The accept waits for this document's suggestions (Esc stops waiting)",
}

NOTICE_MS = 6000


class StatusBar(QStatusBar):
    cancel_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.setSizeGripEnabled(False)
        self.position = self._label("position", "No document")
        self.today = self._label("today", "")
        self.rate = self._label("rate", "")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("taskProgress")
        self.progress.setMaximumWidth(140)
        self.progress.setMaximumHeight(12)
        self.progress.setTextVisible(False)
        self.progress_label = self._label("taskLabel", "")
        self.cancel = QToolButton(self)
        self.cancel.setObjectName("cancelTask")
        self.cancel.setText("Cancel")
        self.cancel.setToolTip("Stop computing suggestions (what is done is kept)")
        self.cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel.clicked.connect(self.cancel_clicked)
        self.model = self._label("model", "")
        self.saving = self._label("saving", "")
        self.saving.hide()
        for w in (
            self.saving,
            self.progress_label,
            self.progress,
            self.cancel,
            self.position,
            self.today,
            self.rate,
            self.model,
        ):
            self.addPermanentWidget(w)
        self.show_task(None)

    def _label(self, name: str, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        return label

    def notice(self, text: str) -> None:
        # long messages (an error that says what to do) stay long enough to be read: ~15 characters a second
        self.showMessage(text, max(NOTICE_MS, len(text) * 70))

    def show_busy(self, text: str | None) -> None:
        """What the window waits for before it moves on ("Saving…" while another program holds the database,
        "Waiting for suggestions…" while an accept waits for the model); None hides it."""
        self.saving.setText(text or "")
        self.saving.setToolTip(BUSY_TIPS.get(text or "", ""))
        self.saving.setVisible(bool(text))

    def set_position(self, place: int | None, total: int, status: str = "") -> None:
        text = f"Doc {place:,} of {total:,}" if place else f"{total:,} documents"
        self.position.setText(f"{text} · {status}" if status else text)

    def set_counters(self, today: int, per_hour: float | None) -> None:
        self.today.setText(f"{today:,} done today")
        self.rate.setText(f"{per_hour:.0f} docs/h" if per_hour is not None else "— docs/h")
        self.rate.setToolTip("Documents decided per hour in this session")

    def set_model(self, text: str, tooltip: str = "") -> None:
        """The model in use; with a reason (`tooltip`) for having none, a warning sign says to hover for it."""
        problem = text.startswith(("No suggestions", "Suggestions unavailable"))
        self.model.setText(f"⚠ {text}" if problem and tooltip else text)
        self.model.setToolTip(tooltip or text)

    def show_task(self, text: str | None, done: int | None = None, total: int | None = None) -> None:
        """Show a background task's progress (None hides it)."""
        visible = text is not None
        for w in (self.progress, self.progress_label, self.cancel):
            w.setVisible(visible)
        if not visible:
            return
        self.progress_label.setText(text)
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done or 0)
        else:
            self.progress.setRange(0, 0)  # busy
