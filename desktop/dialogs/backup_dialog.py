"""File → Back up: a consistent copy of the project's database as one SQLite file (`models.db.backup.backup_project`,
what `tagdesk backup` runs), in the project's backups/ folder or where the user chooses, made on the thread pool
while annotating goes on, with progress and a Cancel that keeps nothing; the dialog says where the copy is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.db.backup import BackupCancelledError, BackupResult, backup_project
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
        self.default_folder = project.folder / "backups"
        self.out = QLineEdit(str(self.default_folder), self)
        self.out.setObjectName("backupOut")
        self.out.setToolTip("A folder gets a dated file (tagdesk-DATE-TIME.sqlite); a file name is used as it is")
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self.choose_out)
        self.text = QLabel(
            "A copy of everything in the project's database, taken as one snapshot while you (and others) go on "
            "annotating. It opens as the tagdesk.sqlite of a project.",
            self,
        )
        self.text.setWordWrap(True)
        self.text.setObjectName("backupText")
        self.panel = TaskPanel(self)
        self.go = QPushButton("Back up", self)
        self.go.setObjectName("primary")
        self.go.setDefault(True)
        self.go.clicked.connect(self.start)
        self.close_button = QPushButton("Close", self)
        self.close_button.clicked.connect(self.close)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Write to", out_row)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.go)
        row.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.text)
        layout.addWidget(self.panel)
        layout.addLayout(row)
        self.backup_result: BackupResult | None = None

    def choose_out(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Write the copy to", str(self.default_folder / "tagdesk-copy.sqlite"), "SQLite (*.sqlite)"
        )
        if path:
            self.out.setText(path)

    def start(self) -> None:
        folder = self.project.folder
        text = self.out.text().strip()
        out = None if not text or Path(text) == self.default_folder else Path(text)

        def work(report: Report, stop: ShouldStop) -> BackupResult:
            return backup_project(folder, out, on_progress=report, should_stop=stop)

        self.go.setEnabled(False)
        self.backup_result = None
        task = self.panel.run(work, "Copying…", name="backup")
        task.progress.connect(self._progress)
        task.finished.connect(self._done)
        task.cancelled.connect(self._cancelled)
        task.failed.connect(self._failed)

    def _progress(self, args: tuple[int, int]) -> None:
        done, total = args
        if total:
            self.panel.label.setText(f"Copying… {100 * done // total} %")

    def _done(self, result: BackupResult) -> None:
        self.go.setEnabled(True)
        self.backup_result = result
        self.text.setText(
            f"Backed up to {result.path}\n({result.documents} document{'s' if result.documents != 1 else ''}, "
            f"schema {result.revision or 'unknown'}). It opens as tagdesk.sqlite of a project."
        )

    def _cancelled(self) -> None:
        self.go.setEnabled(True)
        self.text.setText("Back-up cancelled; no copy was kept.")

    def _failed(self, exc: BaseException) -> None:
        self.go.setEnabled(True)
        if isinstance(exc, BackupCancelledError):
            self._cancelled()
            return
        if not isinstance(exc, TagdeskError):
            raise exc
        self.text.setText(f"No back-up was made: {exc}")
