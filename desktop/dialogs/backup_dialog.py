"""File → Back up: a consistent copy of the project's database (SQLite's backup API, as `tagdesk backup`), made
on the thread pool while annotating goes on; the dialog says where it is."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from models.db.backup import BackupResult, backup_project
from models.errors import TagdeskError
from models.project import Project

from ..tasks import Report, ShouldStop
from ..widgets.task_panel import TaskPanel


class BackupDialog(QDialog):
    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupDialog")
        self.setWindowTitle("Back up the database")
        self.setMinimumWidth(520)
        self.project = project
        self.text = QLabel("Copying the database…", self)
        self.text.setWordWrap(True)
        self.text.setObjectName("backupText")
        self.panel = TaskPanel(self)
        self.close_button = QPushButton("Close", self)
        self.close_button.clicked.connect(self.close)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.panel)
        layout.addLayout(row)
        self.backup_result: BackupResult | None = None

    def start(self) -> None:
        folder = self.project.folder

        def work(_report: Report, stop: ShouldStop) -> BackupResult:
            result = backup_project(folder)
            if stop():  # one SQLite step cannot be interrupted: a copy finished after Cancel is removed
                result.path.unlink(missing_ok=True)
            return result

        task = self.panel.run(work, "Copying…", name="backup")
        task.finished.connect(self._done)
        task.cancelled.connect(lambda: self.text.setText("Back-up cancelled; no copy was kept."))
        task.failed.connect(self._failed)

    def _done(self, result: BackupResult) -> None:
        self.backup_result = result
        self.text.setText(
            f"Backed up to {result.path}\n({result.documents} document{'s' if result.documents != 1 else ''}, "
            f"schema {result.revision or 'unknown'}). It opens as tagdesk.sqlite of a project."
        )

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, TagdeskError):
            raise exc
        self.text.setText(f"No back-up was made: {exc}")
