"""Help → Check the project: what `tagdesk check` says (`models.check.check_project`): the database's own integrity
checks, then the event log replayed from empty and compared with every annotation stored. It only reads, in the
background with progress and Cancel (closing the dialog cancels too); the dialog shows the verdict and what to
do."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from models.check import CheckReport, check_project
from models.errors import TagdeskError
from models.project import Project

from ..widgets.task_panel import TaskPanel


class CheckDialog(QDialog):
    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkDialog")
        self.setWindowTitle("Check the project")
        self.setMinimumWidth(520)
        self.project = project
        self.text = QLabel("Checking the database, then replaying the event log…", self)
        self.text.setObjectName("checkText")
        self.text.setWordWrap(True)
        self.panel = TaskPanel(self)
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.panel)
        layout.addLayout(row)
        self.report: CheckReport | None = None

    def start(self) -> None:
        project = self.project
        task = self.panel.run(
            lambda report, stop: check_project(project, on_progress=report, should_stop=stop),
            "Replaying…",
            name="check",
        )
        task.finished.connect(self._done)
        task.failed.connect(self._failed)
        task.cancelled.connect(self._cancelled)

    def reject(self) -> None:
        """Close, Esc and the window's close button: a check still running stops (it only reads)."""
        if self.panel.running():
            self.panel.stop()
        super().reject()

    def _cancelled(self) -> None:
        self.text.setText("The check was stopped before it had replayed every document; nothing was changed.")

    def _done(self, report: CheckReport) -> None:
        self.report = report
        verdict = "Everything is in order" if report.ok else "A problem was found"
        self.text.setText(f"{verdict}.\n\n{report.summary()}")

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, TagdeskError):
            raise exc
        self.text.setText(f"The check could not run: {exc}")
