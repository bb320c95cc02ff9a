"""File → Export: the format (with what it cannot carry), which statuses, whose annotations, a dev share, how to
treat spans off token boundaries, and where to write; then `models.formats.export_project` (what `tagdesk export`
runs) with progress and Cancel, and the files written. An export that stops on spans off token boundaries lists
them and offers to move them (expand or contract)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models import store
from models.errors import TagdeskError
from models.formats import AlignmentError, ExportResult, Format, all_formats, export_project
from models.formats._export import STATUSES, default_out
from models.project import Project

from ..tasks import Report, ShouldStop
from ..widgets.task_panel import TaskPanel


def annotators(project: Project) -> list[str]:
    """Everyone with annotations in the project, the current annotator first."""
    with project.session() as s:
        names = store.annotators(session=s)
    return [project.annotator, *[n for n in names if n != project.annotator]]


class ExportDialog(QDialog):
    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export")
        self.resize(640, 560)
        self.project = project
        self.formats = {n: f for n, f in all_formats().items() if f.write}
        self.format = QComboBox(self)
        self.format.setObjectName("exportFormat")
        for name in sorted(self.formats):
            self.format.addItem(f"{name} — {self.formats[name].description}", name)
        self.format.setCurrentIndex(max(0, self.format.findData("spacy")))
        self.carry = QLabel(self)
        self.carry.setObjectName("hint")
        self.carry.setWordWrap(True)
        self.statuses = {}
        row = QHBoxLayout()
        for status in STATUSES:
            box = QCheckBox(status, self)
            box.setChecked(status == "accepted")
            self.statuses[status] = box
            row.addWidget(box)
        row.addStretch(1)
        self.annotator = QComboBox(self)
        self.annotator.setObjectName("exportAnnotator")
        self.annotator.addItems(annotators(project))
        self.dev = QDoubleSpinBox(self)
        self.dev.setObjectName("exportDev")
        self.dev.setRange(0.0, 0.5)
        self.dev.setSingleStep(0.05)
        self.dev.setDecimals(2)
        self.dev.setSpecialValueText("no dev set")
        self.seed = QSpinBox(self)
        self.seed.setRange(0, 2**31 - 1)
        self.align = QButtonGroup(self)
        align_row = QHBoxLayout()
        for i, (key, text) in enumerate(
            [("", "stop and list them"), ("expand", "grow to whole tokens"), ("contract", "shrink to whole tokens")]
        ):
            radio = QRadioButton(text, self)
            radio.setProperty("mode", key)
            radio.setChecked(i == 0)
            self.align.addButton(radio, i)
            align_row.addWidget(radio)
        align_row.addStretch(1)
        self.out = QLineEdit(self)
        self.out.setObjectName("exportOut")
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self.choose_out)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("", self.carry)
        form.addRow("Documents", row)
        form.addRow("Whose", self.annotator)
        form.addRow("Dev share", self.dev)
        form.addRow("Seed", self.seed)
        form.addRow("Spans off token boundaries", align_row)
        form.addRow("Write to", out_row)
        self.result_text = QPlainTextEdit(self)
        self.result_text.setObjectName("exportResult")
        self.result_text.setReadOnly(True)
        self.result_text.hide()
        self.panel = TaskPanel(self)
        self.go = QPushButton("Export", self)
        self.go.setObjectName("primary")
        self.go.setDefault(True)
        self.go.clicked.connect(self.start)
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.go)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.result_text, 1)
        layout.addWidget(self.panel)
        layout.addLayout(bottom)
        self._auto_out = ""
        self.format.currentIndexChanged.connect(lambda _i: self._format_changed())
        self.dev.valueChanged.connect(lambda _v: self._format_changed())
        self._format_changed()

    def fmt(self) -> Format:
        return self.formats[self.format.currentData()]

    def _format_changed(self) -> None:
        fmt = self.fmt()
        gaps = ", ".join(fmt.cannot_carry)
        tokens = " Written token by token: spans must be on token boundaries." if fmt.tokens else ""
        self.carry.setText((f"Cannot carry: {gaps}." if gaps else "Carries everything Tagdesk stores.") + tokens)
        for radio in self.align.buttons():
            radio.setEnabled(fmt.tokens)
        default = str(default_out(self.project.folder, fmt, self.dev.value() or None))
        if not self.out.text() or self.out.text() == self._auto_out:
            self.out.setText(default)
            self._auto_out = default

    def choose_out(self) -> None:
        fmt = self.fmt()
        if self.dev.value() or not fmt.suffix:
            path = QFileDialog.getExistingDirectory(self, "Folder to export into", self.out.text())
        else:
            path, _ = QFileDialog.getSaveFileName(self, "File to export to", self.out.text())
        if path:
            self.out.setText(path)

    def options(self) -> dict[str, Any]:
        checked = self.align.checkedButton()
        mode = checked.property("mode") if self.fmt().tokens and checked is not None else ""
        return {
            "statuses": [s for s, box in self.statuses.items() if box.isChecked()],
            "annotator": self.annotator.currentText().strip() or None,
            "align_mode": mode or None,
            "dev": self.dev.value() or None,
            "seed": self.seed.value(),
        }

    def start(self) -> None:
        project, fmt, out, opts = self.project, self.fmt(), Path(self.out.text().strip()), self.options()
        if not opts["statuses"]:
            self._show("Choose at least one status to export.")
            return

        def work(report: Report, stop: ShouldStop) -> ExportResult:
            return export_project(project, fmt, out, on_progress=report, should_stop=stop, **opts)

        self.go.setEnabled(False)
        task = self.panel.run(work, "Exporting…", name="export")
        task.finished.connect(self._done)
        task.failed.connect(self._failed)
        task.cancelled.connect(lambda: self._show("Export stopped; nothing was written."))

    def _done(self, result: ExportResult) -> None:
        files = "\n".join(f"  {f}" for f in result.files)
        split = f" (train {result.split.get('train', 0)}, dev {result.split.get('dev', 0)})" if result.split else ""
        moved = f"\n{result.changed} spans moved to token boundaries." if result.changed else ""
        self._show(
            f"Exported {result.documents} document{'s' if result.documents != 1 else ''}{split}, "
            f"{result.spans} entit{'y' if result.spans == 1 else 'ies'} as {self.fmt().name}:\n{files}{moved}"
        )

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, TagdeskError):
            self.go.setEnabled(True)
            raise exc
        text = str(exc)
        if isinstance(exc, AlignmentError):
            text += "\n\nChoose “grow to whole tokens” or “shrink to whole tokens” above and export again."
        self._show(text)

    def _show(self, text: str) -> None:
        self.go.setEnabled(True)
        self.result_text.show()
        self.result_text.setPlainText(text)
