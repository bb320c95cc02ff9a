"""File → Export: the format (with what it cannot carry), which statuses, whose annotations (the team's: the
reviewed gold, else what the annotators agree on; or one annotator's own), a dev share, how to treat spans off
token boundaries, how doccano and Label Studio files count offsets, and where to write; then
`models.formats.export_project` (what `tagdesk export` runs) with progress and Cancel, and the files written. For
JSONL it can write the model's suggestions for the pending documents instead, with their scores
(`export_pending_suggestions`, as `tagdesk export --suggestions`). An option shows only where it applies: the
others are disabled, their tooltip saying why. An export that stops on spans off token boundaries lists them and
offers to move them (expand or contract)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from PySide6.QtGui import QStandardItemModel
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
from models.formats._offsets import CONVENTIONS, DESCRIBED, FORMATS_WITH_OFFSETS
from models.formats._suggestions import SuggestionsExport, export_pending_suggestions
from models.project import Project

from ..tasks import Report, ShouldStop
from ..widgets.task_panel import TaskPanel

TEAM = "The team's: reviewed gold, else what the annotators agree on"
SUGGESTIONS_FILE = "suggestions.jsonl"


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
        # the descriptions are long: the drop-down does not set the dialog's width (it fits a narrow screen)
        self.format.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.format.setMinimumContentsLength(24)
        for name in sorted(self.formats):
            self.format.addItem(f"{name} — {self.formats[name].description}", name)
        self.format.setCurrentIndex(max(0, self.format.findData("spacy")))
        self.carry = QLabel(self)
        self.carry.setObjectName("hint")
        self.carry.setWordWrap(True)
        self.statuses = {}
        self.status_row = QWidget(self)
        row = QHBoxLayout(self.status_row)
        row.setContentsMargins(0, 0, 0, 0)
        for status in STATUSES:
            box = QCheckBox(status, self.status_row)
            box.setChecked(status == "accepted")
            self.statuses[status] = box
            row.addWidget(box)
        row.addStretch(1)
        self.suggestions = QCheckBox("The model's suggestions for the pending documents, each with its score", self)
        self.suggestions.setObjectName("exportSuggestions")
        self.annotator = QComboBox(self)
        self.annotator.setObjectName("exportAnnotator")
        self.annotator.addItem(TEAM, None)
        for name in annotators(project):
            self.annotator.addItem(f"{name}'s own", name)
        self.offsets = QComboBox(self)
        self.offsets.setObjectName("exportOffsets")
        for conv in CONVENTIONS:
            self.offsets.addItem(DESCRIBED[conv], conv)
        self.dev = QDoubleSpinBox(self)
        self.dev.setObjectName("exportDev")
        self.dev.setRange(0.0, 0.5)
        self.dev.setSingleStep(0.05)
        self.dev.setDecimals(2)
        self.dev.setSpecialValueText("no dev set")
        self.seed = QSpinBox(self)
        self.seed.setRange(0, 2**31 - 1)
        self.align = QButtonGroup(self)
        self.align_row = QWidget(self)
        align_row = QHBoxLayout(self.align_row)
        align_row.setContentsMargins(0, 0, 0, 0)
        for i, (key, text) in enumerate(
            [("", "stop and list them"), ("expand", "grow to whole tokens"), ("contract", "shrink to whole tokens")]
        ):
            radio = QRadioButton(text, self.align_row)
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
        form.addRow("Write", self.suggestions)
        form.addRow("Documents", self.status_row)
        form.addRow("Whose", self.annotator)
        form.addRow("Dev share", self.dev)
        form.addRow("Seed", self.seed)
        form.addRow("Spans off token boundaries", self.align_row)
        form.addRow("Offsets count", self.offsets)
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
        self.suggestions.toggled.connect(lambda _b: self._format_changed())
        self._format_changed()

    def fmt(self) -> Format:
        return self.formats[self.format.currentData()]

    def writes_suggestions(self) -> bool:
        return self.suggestions.isEnabled() and self.suggestions.isChecked()

    def _format_changed(self) -> None:
        fmt = self.fmt()
        gaps = ", ".join(fmt.cannot_carry)
        tokens = " Written token by token: spans must be on token boundaries." if fmt.tokens else ""
        self.carry.setText((f"Cannot carry: {gaps}." if gaps else "Carries everything Tagdesk stores.") + tokens)
        self._enable(self.suggestions, fmt.name == "jsonl", "Only JSONL tasks carry suggestions with scores")
        sugg = self.writes_suggestions()
        why = "Suggestions are written for the pending documents" if sugg else ""
        self._enable(self.status_row, not sugg, why)
        self._enable(self.dev, not sugg, why)
        self._enable(self.seed, not sugg and bool(self.dev.value()), why or "With a dev share only")
        self._enable(self.align_row, fmt.tokens and not sugg, why or f"{fmt.name} is not written token by token")
        self._enable(self.offsets, fmt.name in FORMATS_WITH_OFFSETS, "Only doccano and Label Studio count offsets")
        team = cast(QStandardItemModel, self.annotator.model()).item(0)
        team.setEnabled(not sugg)  # suggestions are shown to one annotator: the pending documents are theirs
        if sugg and self.annotator.currentData() is None:
            self.annotator.setCurrentIndex(1)
        if sugg:
            default = str(self.project.folder / "exports" / SUGGESTIONS_FILE)
        else:
            default = str(default_out(self.project.folder, fmt, self.dev.value() or None))
        if not self.out.text() or self.out.text() == self._auto_out:
            self.out.setText(default)
            self._auto_out = default

    @staticmethod
    def _enable(widget: QWidget, on: bool, why: str) -> None:
        widget.setEnabled(on)
        widget.setToolTip("" if on else why)

    def choose_out(self) -> None:
        fmt = self.fmt()
        if (self.dev.value() or not fmt.suffix) and not self.writes_suggestions():
            path = QFileDialog.getExistingDirectory(self, "Folder to export into", self.out.text())
        else:
            path, _ = QFileDialog.getSaveFileName(self, "File to export to", self.out.text())
        if path:
            self.out.setText(path)

    def options(self) -> dict[str, Any]:
        fmt = self.fmt()
        checked = self.align.checkedButton()
        mode = checked.property("mode") if fmt.tokens and checked is not None else ""
        return {
            "statuses": [s for s, box in self.statuses.items() if box.isChecked()],
            "annotator": self.annotator.currentData(),
            "align_mode": mode or None,
            "dev": self.dev.value() or None,
            "seed": self.seed.value(),
            "offsets": self.offsets.currentData() if fmt.name in FORMATS_WITH_OFFSETS else "codepoints",
        }

    def start(self) -> None:
        project, fmt, out, opts = self.project, self.fmt(), Path(self.out.text().strip()), self.options()
        if self.writes_suggestions():
            annotator = opts["annotator"]

            def work(report: Report, stop: ShouldStop) -> ExportResult | SuggestionsExport:
                return export_pending_suggestions(
                    project, out, annotator=annotator, on_progress=report, should_stop=stop
                )

        elif not opts["statuses"]:
            self._show("Choose at least one status to export.")
            return
        else:

            def work(report: Report, stop: ShouldStop) -> ExportResult | SuggestionsExport:
                return export_project(project, fmt, out, on_progress=report, should_stop=stop, **opts)

        self.go.setEnabled(False)
        task = self.panel.run(work, "Exporting…", name="export")
        task.finished.connect(self._done)
        task.failed.connect(self._failed)
        task.cancelled.connect(lambda: self._show("Export stopped; nothing was written."))

    def _done(self, result: ExportResult | SuggestionsExport) -> None:
        if isinstance(result, SuggestionsExport):  # the pending documents' suggestions
            self._show(
                f"Exported the suggestions for {result.documents} pending document"
                f"{'s' if result.documents != 1 else ''}, {result.spans} suggested entit"
                f"{'y' if result.spans == 1 else 'ies'} with their scores:\n  {result.path}"
            )
            return
        files = "\n".join(f"  {f}" for f in result.files)
        split = f" (train {result.split.get('train', 0)}, dev {result.split.get('dev', 0)})" if result.split else ""
        moved = f"\n{result.changed} spans moved to token boundaries." if result.changed else ""
        left = ""
        if result.conflicts:
            n = result.conflicts
            left = (
                f"\nLeft out: {n} document{'s' if n != 1 else ''} where the annotators differ and no reviewer has "
                f"decided; settle {'them' if n != 1 else 'it'} in review mode "
                "(File → Review the annotators' differences)."
            )
        self._show(
            f"Exported {result.documents} document{'s' if result.documents != 1 else ''}{split}, "
            f"{result.spans} entit{'y' if result.spans == 1 else 'ies'} as {self.fmt().name}:\n{files}{moved}{left}"
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
