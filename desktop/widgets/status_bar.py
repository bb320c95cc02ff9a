"""The status bar: the latest notice, the project's progress (done / total with a bar, time per document), the
position, done today, documents per hour, the model in use, and background progress with a cancel button.

A notice too long for the space it has is cut with "…", keeps its full text in the tooltip, and is announced by
`overflow` so the window can show it whole (the notice bar above the text).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QStatusBar, QToolButton, QWidget

from ..messages import SAVING, WAITING_SHORT

BUSY_TIPS = {
    SAVING: "A decision is waiting for the database (another program is writing to it); keys are kept in order",
    WAITING_SHORT: "The accept waits for this document's suggestions (Esc stops waiting)",
}

NOTICE_MS = 6000


def plural(n: int, one: str, many: str | None = None) -> str:
    """ "1 document", "2 documents", "1,204 entities" (`many` when the plural is not one + "s")."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def duration(seconds: float) -> str:
    """ "42 s", "3 min 5 s", "1 h 12 min"."""
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s" if s % 60 else f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60} min"


class StatusBar(QStatusBar):
    cancel_clicked = Signal()
    overflow = Signal(str)  # a notice that did not fit, to be shown in full elsewhere

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.setSizeGripEnabled(False)
        self.message = QLabel(self)
        self.message.setObjectName("statusMessage")
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.message.setMinimumWidth(40)
        self._full = ""
        self._clear = QTimer(self)
        self._clear.setSingleShot(True)
        self._clear.timeout.connect(lambda: self.notice(""))
        self.addWidget(self.message, 1)
        self.done = self._label("progressText", "")
        self.done_bar = QProgressBar(self)
        self.done_bar.setObjectName("projectProgress")
        self.done_bar.setFixedSize(90, 10)
        self.done_bar.setTextVisible(False)
        self.position = self._label("position", "No document")
        self.today = self._label("today", "")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("taskProgress")
        self.progress.setMaximumWidth(140)
        self.progress.setMaximumHeight(12)
        self.progress.setTextVisible(False)
        self.progress_label = self._label("taskLabel", "")
        # room for the longest text it shows (the status bar does not re-measure a permanent label later)
        self.progress_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("Suggesting 100,000/100,000") + 24)
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
            self.done,
            self.done_bar,
            self.position,
            self.today,
            self.model,
        ):
            self.addPermanentWidget(w)
        self.show_task(None)

    def _label(self, name: str, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        return label

    # -- notices
    def notice(self, text: str) -> None:
        """Show a short notice; long ones (an error that says what to do) stay ~15 characters a second."""
        self._full = text
        self._fit()
        self.message.setToolTip(text)
        if text:
            self._clear.start(max(NOTICE_MS, len(text) * 70))
            if self.message.text() != text:
                self.overflow.emit(text)

    def show_busy(self, text: str | None) -> None:
        """What the window waits for before it moves on ("Saving…" while another program holds the database,
        "Waiting for suggestions…" while an accept waits for the model); None hides it."""
        self.saving.setText(text or "")
        self.saving.setToolTip(BUSY_TIPS.get(text or "", ""))
        self.saving.setVisible(bool(text))

    def current_notice(self) -> str:
        return self._full

    def _fit(self) -> None:
        metrics = self.message.fontMetrics()
        width = max(0, self.message.width() - 12)
        self.message.setText(metrics.elidedText(self._full, Qt.TextElideMode.ElideRight, width))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    # -- counters
    def set_position(self, place: int | None, total: int, status: str = "") -> None:
        text = f"Doc {place:,} of {total:,}" if place else plural(total, "document")
        self.position.setText(f"{text} · {status}" if status else text)

    def set_progress(self, done: int, total: int, seconds_per_document: float | None) -> None:
        """The whole project's progress for this annotator: documents decided out of all, and the time a
        decided document took on average."""
        pace = f" · {duration(seconds_per_document)} each" if seconds_per_document else ""
        self.done.setText(f"{done:,} / {total:,} done{pace}")
        self.done.setToolTip(
            f"{plural(done, 'document')} decided (accepted, rejected or ignored) of {total:,}"
            + (f"; {duration(seconds_per_document)} spent on each, on average" if seconds_per_document else "")
        )
        # QProgressBar.setValue repaints at once, and a repaint paints the whole window's pending updates with it
        # (the text view's, after an accept: ~10 ms in the turn the counters arrive); with updates off it only
        # schedules a paint, which Qt does with the others
        bar = self.done_bar
        bar.setUpdatesEnabled(False)
        try:
            bar.setRange(0, max(total, 1))
            bar.setValue(done)
        finally:
            bar.setUpdatesEnabled(True)  # (schedules the bar's paint)
        self.done_bar.setToolTip(f"{round(100 * done / total) if total else 0}% done")

    def set_counters(self, today: int, per_hour: float | None) -> None:
        rate = f" · {per_hour:.0f}/h" if per_hour is not None else ""
        self.today.setText(f"{today:,} today{rate}")
        self.today.setToolTip(
            f"{plural(today, 'document')} decided today"
            + (f"; {per_hour:.0f} an hour in this session" if per_hour is not None else "")
        )

    def set_model(self, text: str, tooltip: str = "") -> None:
        """The model in use; with a reason (`tooltip`) for having none, a warning sign says to hover for it."""
        problem = text.startswith(("No suggestions", "Suggestions unavailable"))
        self.model.setText(f"⚠ {text}" if problem and tooltip else text)
        self.model.setToolTip(tooltip or text)

    def set_compact(self, compact: bool) -> None:
        """At a narrow width the counters that matter least step aside (their numbers stay in the tooltips
        of the ones kept, and in the statistics)."""
        self.compact = compact
        for w in (self.today, self.model, self.done_bar):
            w.setVisible(not compact)
        self.progress_label.setVisible(not compact and self.progress.isVisible())

    def show_task(self, text: str | None, done: int | None = None, total: int | None = None) -> None:
        """Show a background task's progress (None hides it)."""
        visible = text is not None
        for w in (self.progress, self.progress_label, self.cancel):
            w.setVisible(visible)
        if text is None:
            return
        self.progress_label.setVisible(not getattr(self, "compact", False))
        self.progress_label.setText(text)
        self.progress.setToolTip(text)
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done or 0)
        else:
            self.progress.setRange(0, 0)  # busy
