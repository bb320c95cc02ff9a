"""Progress of one long piece of work inside a dialog (import, export, backup): what is being done, a bar, and
Cancel. `run(work, ...)` starts it through `desktop.tasks.run_task`; the dialog gets `finished` / `failed` /
`cancelled` from the returned task."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from ..tasks import Task, Work, run_task


class TaskPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskPanel")
        self.label = QLabel(self)
        self.label.setObjectName("hint")
        self.bar = QProgressBar(self)
        self.bar.setObjectName("taskProgress")
        self.bar.setMaximumHeight(12)
        self.bar.setTextVisible(False)
        self.cancel = QPushButton("Cancel", self)
        self.cancel.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel)
        self.task: Task | None = None
        self.cancel.clicked.connect(self.stop)
        self.hide()

    def running(self) -> bool:
        return self.task is not None and not self.task.done

    def run(self, work: Work, text: str, *, name: str) -> Task:
        self.label.setText(text)
        self.bar.setRange(0, 0)
        self.cancel.setEnabled(True)
        self.show()
        task = run_task(work, name=name)
        task.progress.connect(self._progress)
        for signal in (task.finished, task.failed, task.cancelled):
            signal.connect(lambda *_a: self.hide())
        self.task = task
        return task

    def _progress(self, args: tuple[object, ...]) -> None:
        nums = [a for a in args if isinstance(a, int)]
        if len(nums) >= 2 and nums[1]:
            self.bar.setRange(0, nums[1])
            self.bar.setValue(min(nums[0], nums[1]))

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.label.setText("Stopping…")
            self.cancel.setEnabled(False)
