"""File → Import documents: choose files, see the format Tagdesk guessed and the first documents with their
entities, then import them all-or-nothing per file, with progress and Cancel, and read the same report as
`tagdesk import` prints. The options are the command's: the text column or key, one document per line, how a
doccano or Label Studio file counts offsets (detected unless chosen), whose annotations a file carries that does
not say (`--annotator`), adding the labels the files use. Reading and importing call `models.formats` (the
command line's functions)."""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from models.cli.import_ import summary
from models.errors import TagdeskError
from models.formats import Format, ReadOptions, all_formats, guess_format, import_file
from models.formats._offsets import CONVENTIONS, DESCRIBED, FORMATS_WITH_OFFSETS
from models.project import Project
from models.store import NewDocument

from ..contrast import blend, readable_on
from ..tasks import Report, ShouldStop, run_task
from ..widgets.task_panel import TaskPanel
from .export_dialog import annotators

PREVIEW_DOCS = 5
PREVIEW_CHARS = 400


class StoppedError(TagdeskError):
    """The import was stopped; the file being read was not stored."""


@dataclass
class Choice:
    """One file to import and how to read it."""

    path: Path
    format: str = ""
    guessed: bool = True
    by_line: bool = False
    text_column: str = "text"
    text_key: str = "text"
    offsets: str | None = None  # doccano, Label Studio: None detects the convention from the file
    preview: list[NewDocument] | None = None
    count: int = 0
    unknown: list[str] = field(default_factory=list)
    error: str = ""
    reading: bool = False  # its preview is being read on the thread pool

    def options(self) -> ReadOptions:
        return ReadOptions(
            by_line=self.by_line, text_column=self.text_column, text_key=self.text_key, offsets=self.offsets
        )


def csv_columns(path: Path) -> list[str]:
    """The header of a CSV file (the text column is chosen from it)."""
    try:
        with path.open(encoding="utf-8", errors="replace", newline="") as fh:
            head = fh.read(65536)
        dialect = csv.Sniffer().sniff(head.splitlines()[0]) if head else csv.excel
        return next(csv.reader(io.StringIO(head), dialect), [])
    except (OSError, csv.Error, StopIteration):
        return []


def preview_html(docs: list[NewDocument], colors: dict[str, str], *, dark: bool) -> str:
    """The first documents, each with its entities marked in their label's colour (and named)."""
    bg = "#23262b" if dark else "#ffffff"
    parts = []
    for doc in docs[:PREVIEW_DOCS]:
        text = doc.text[:PREVIEW_CHARS]
        out, at = [], 0
        for start, end, label in sorted(doc.spans or []):
            if start < at or start >= len(text):
                continue
            color = colors.get(label, "#888888")
            out.append(html.escape(text[at:start]))
            shown = html.escape(text[start : min(end, len(text))])
            fill = blend(color, bg, 0.30 if dark else 0.25)  # Qt's rich text draws backgrounds, not borders
            out.append(
                f'<span style="background-color: {fill}; font-weight: 600">&nbsp;{shown}&nbsp;</span>'
                f'<span style="color: {readable_on(color, bg)}; font-size: small; font-weight: 600">'
                f"&nbsp;{html.escape(label)}</span>"
            )
            at = min(end, len(text))
        out.append(html.escape(text[at:]))
        more = "…" if len(doc.text) > PREVIEW_CHARS else ""
        status = f" <i>({html.escape(doc.status)})</i>" if doc.status else ""
        parts.append(f"<p>{''.join(out)}{more}{status}</p>")
    return "<hr>".join(parts) or "<p><i>No documents in this file.</i></p>"


class ImportDialog(QDialog):
    imported = Signal()  # documents were stored (the window refreshes its list)

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import documents")
        self.resize(860, 640)
        self.setMinimumWidth(560)
        self.project = project
        self.choices: list[Choice] = []
        self.results: list[str] = []
        self.formats = {n: f for n, f in all_formats().items() if f.read}
        self.files = QListWidget(self)
        self.files.setObjectName("importFiles")
        self.files.setMaximumHeight(110)
        add = QPushButton("Add files…", self)
        add.clicked.connect(self.choose_files)
        add_folder = QPushButton("Add a brat folder…", self)
        add_folder.clicked.connect(self.choose_folder)
        self.remove = QPushButton("Remove", self)
        self.remove.clicked.connect(self.remove_current)
        self.format = QComboBox(self)
        self.format.setObjectName("importFormat")
        self.format.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.format.setMinimumContentsLength(24)
        for name in sorted(self.formats):
            self.format.addItem(f"{name} — {self.formats[name].description}", name)
        self.guess_note = QLabel(self)
        self.guess_note.setObjectName("hint")
        self.by_line = QCheckBox("One document per line (not one per file)", self)
        self.column = QComboBox(self)
        self.column.setEditable(True)
        self.key = QLineEdit("text", self)
        self.offsets = QComboBox(self)
        self.offsets.setObjectName("importOffsets")
        self.offsets.addItem("Detected from the file", None)
        for conv in CONVENTIONS:
            self.offsets.addItem(DESCRIBED[conv], conv)
        self.annotator = QComboBox(self)
        self.annotator.setObjectName("importAnnotator")
        self.annotator.setEditable(True)
        self.annotator.addItems(annotators(project))
        self.annotator.setToolTip(
            "Whose annotations the entities of a file are, where the file does not name its annotator"
        )
        self.preview = QTextBrowser(self)
        self.preview.setObjectName("importPreview")
        self.about = QLabel(self)
        self.about.setObjectName("hint")
        self.about.setWordWrap(True)
        self.add_labels = QCheckBox("Add the labels the files use that this project lacks", self)
        self.add_labels.setObjectName("addLabels")
        self.report = QPlainTextEdit(self)
        self.report.setObjectName("importReport")
        self.report.setReadOnly(True)
        self.report.setMaximumHeight(120)
        self.report.hide()
        self.panel = TaskPanel(self)
        self.go = QPushButton("Import", self)
        self.go.setObjectName("primary")
        self.go.setDefault(True)
        self.go.clicked.connect(self.start)
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)

        buttons = QHBoxLayout()
        for b in (add, add_folder, self.remove):
            buttons.addWidget(b)
        buttons.addStretch(1)
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("", self.guess_note)
        form.addRow("", self.by_line)
        form.addRow("Text column", self.column)
        form.addRow("Text key", self.key)
        form.addRow("Offsets count", self.offsets)
        form.addRow("Entities are by", self.annotator)
        self._rows = {"by_line": self.by_line, "column": self.column, "key": self.key}
        self.form = form
        bottom = QHBoxLayout()
        bottom.addWidget(self.add_labels)
        bottom.addStretch(1)
        bottom.addWidget(self.go)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Files (each is imported whole, or not at all)", self))
        layout.addWidget(self.files)
        layout.addLayout(buttons)
        layout.addLayout(form)
        layout.addWidget(QLabel("Preview: the first documents with their entities", self))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.about)
        layout.addWidget(self.report)
        layout.addWidget(self.panel)
        layout.addLayout(bottom)
        self.files.currentRowChanged.connect(lambda _r: self._show_choice())
        self.format.currentIndexChanged.connect(lambda _i: self._options_changed(guessed=False))
        self.by_line.toggled.connect(lambda _b: self._options_changed())
        self.column.currentTextChanged.connect(lambda _t: self._options_changed())
        self.key.editingFinished.connect(self._options_changed)
        self.offsets.currentIndexChanged.connect(lambda _i: self._options_changed())
        self._loading = False
        self._update_buttons()
        self._show_choice()

    # -- choosing files
    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Files to import", str(self.project.folder))
        self.add_paths([Path(p) for p in paths])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A brat folder (.txt and .ann files)", str(self.project.folder))
        if folder:
            self.add_paths([Path(folder)])

    def add_paths(self, paths: list[Path]) -> None:
        for path in paths:
            choice = Choice(path)
            try:
                choice.format = guess_format(path).name
            except TagdeskError as exc:
                choice.format, choice.guessed, choice.error = "text", False, str(exc)
            if choice.format == "csv":
                cols = csv_columns(path)
                choice.text_column = "text" if "text" in cols or not cols else cols[0]
            self.choices.append(choice)
            self.files.addItem(str(path))
            self._read_preview(choice)
        if self.choices:
            self.files.setCurrentRow(len(self.choices) - 1)
        self._update_buttons()

    def remove_current(self) -> None:
        row = self.files.currentRow()
        if 0 <= row < len(self.choices):
            del self.choices[row]
            self.files.takeItem(row)
        self._show_choice()
        self._update_buttons()

    def current(self) -> Choice | None:
        row = self.files.currentRow()
        return self.choices[row] if 0 <= row < len(self.choices) else None

    # -- options and preview
    def _show_choice(self) -> None:
        choice = self.current()
        self._loading = True
        try:
            if choice is None:  # the options of a format show once a file of it is chosen
                self.preview.clear()
                self.about.clear()
                self.by_line.hide()
                for widget in (self.column, self.key, self.offsets):
                    self.form.setRowVisible(widget, False)
                return
            self.format.setCurrentIndex(max(0, self.format.findData(choice.format)))
            self.guess_note.setText(
                "Guessed from the file; choose another if it is wrong"
                if choice.guessed
                else (choice.error or "Chosen by you")
            )
            self.by_line.setChecked(choice.by_line)
            self.column.clear()
            self.column.addItems(csv_columns(choice.path) if choice.format == "csv" else [])
            self.column.setCurrentText(choice.text_column)
            self.key.setText(choice.text_key)
            self.offsets.setCurrentIndex(max(0, self.offsets.findData(choice.offsets)))
            fmt = choice.format
            self.by_line.setVisible(fmt == "text")
            self.form.setRowVisible(self.column, fmt == "csv")
            self.form.setRowVisible(self.key, fmt in ("jsonl", "doccano", "labelstudio"))
            self.form.setRowVisible(self.offsets, fmt in FORMATS_WITH_OFFSETS)
            if not getattr(choice, "reading", False):
                self._show_preview(choice)
        finally:
            self._loading = False

    def _options_changed(self, guessed: bool | None = None) -> None:
        choice = self.current()
        if choice is None or self._loading:
            return
        choice.format = self.format.currentData()
        if guessed is False:
            choice.guessed = False
            choice.error = ""
        choice.by_line = self.by_line.isChecked()
        choice.text_column = self.column.currentText().strip() or "text"
        choice.text_key = self.key.text().strip() or "text"
        choice.offsets = self.offsets.currentData() if choice.format in FORMATS_WITH_OFFSETS else None
        self._show_choice()
        self._read_preview(choice)

    def _read_preview(self, choice: Choice) -> None:
        """Read the whole file as the import will, on the thread pool (errors show here, before anything is
        stored); the preview appears when it is read."""
        fmt: Format = self.formats[choice.format]
        choice.preview, choice.error = [], ""
        choice.reading = True
        options = choice.options()
        task = run_task(lambda _r, _s: fmt.read(choice.path, options) if fmt.read else [], name="import preview")
        task.finished.connect(lambda docs, c=choice, f=choice.format: self._preview_read(c, f, docs, None))
        task.failed.connect(lambda exc, c=choice, f=choice.format: self._preview_read(c, f, None, exc))
        self.preview.setHtml("<p><i>Reading the file…</i></p>")

    def _preview_read(
        self, choice: Choice, fmt: str, docs: list[NewDocument] | None, exc: BaseException | None
    ) -> None:
        if not shiboken6.isValid(self) or fmt != choice.format:
            return  # the dialog closed, or the format changed meanwhile (a newer read is on its way)
        choice.reading = False
        if exc is not None:
            if not isinstance(exc, TagdeskError):
                raise exc
            choice.preview, choice.count, choice.unknown, choice.error = None, 0, [], str(exc)
        elif docs is not None:  # read: the reader's documents
            self._set_preview(choice, docs)
        if choice is self.current():
            self._show_preview(choice)
        self._update_buttons()

    def reading(self) -> bool:
        return any(c.reading for c in self.choices)

    def _set_preview(self, choice: Choice, docs: list[NewDocument]) -> None:
        known = set(self.project.config.label_names)
        choice.preview = docs[:PREVIEW_DOCS]
        choice.count = len(docs)
        choice.unknown = sorted({lab for d in docs for _s, _e, lab in d.spans or () if lab not in known})
        choice.error = ""

    def _show_preview(self, choice: Choice) -> None:
        dark = self.palette().window().color().lightnessF() < 0.5
        if choice.preview is None:
            self.preview.setHtml(
                f"<p><b>This file cannot be imported as {choice.format}:</b></p><p>{html.escape(choice.error)}</p>"
            )
            self.about.setText("Nothing from it would be stored. Choose another format, or fix the file.")
            return
        colors = {lab.name: lab.color for lab in self.project.config.labels}
        self.preview.setHtml(preview_html(choice.preview, colors, dark=dark))
        annotated = sum(1 for d in choice.preview if d.spans)
        text = f"{choice.count:,} document{'s' if choice.count != 1 else ''} in {choice.path.name}"
        if annotated:
            text += " (with entities)"
        if choice.unknown:
            text += f". Labels this project lacks: {', '.join(choice.unknown)}"
            text += " — tick “Add the labels” below, or the file is refused."
        self.about.setText(text)
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = bool(self.choices) and not self.panel.running() and not self.reading()
        self.go.setEnabled(ready)
        self.remove.setEnabled(bool(self.choices) and not self.panel.running())
        self.add_labels.setVisible(any(c.unknown for c in self.choices))

    # -- importing
    def start(self) -> None:
        project, choices = self.project, list(self.choices)
        formats, add_labels = self.formats, self.add_labels.isChecked()
        annotator = self.annotator.currentText().strip() or None
        results: list[str] = []
        self.results = results

        def work(report: Report, stop: ShouldStop) -> list[str]:
            for n, choice in enumerate(choices, 1):
                if stop():
                    results.append(f"✗ {choice.path}: import stopped; nothing from this file was stored")
                    continue

                def progress(done: int, total: int, n: int = n, choice: Choice = choice) -> None:
                    if stop():
                        raise StoppedError(f"{choice.path}: import stopped; nothing from this file was stored")
                    report(f"{choice.path.name} ({n} of {len(choices)})", done, total)

                options = choice.options()
                options.on_progress = progress
                try:
                    rep = import_file(
                        project,
                        choice.path,
                        formats[choice.format],
                        options,
                        add_labels=add_labels,
                        annotator=annotator,
                        on_progress=progress,
                    )
                except TagdeskError as exc:
                    suffix = "" if isinstance(exc, StoppedError) else " (nothing from this file was stored)"
                    results.append(f"✗ {exc}{suffix}")
                    continue
                results.append("✓ " + summary(rep, annotator or project.annotator))
            return results

        self.report.clear()
        self.report.show()
        task = self.panel.run(work, "Importing…", name="import")
        task.progress.connect(lambda args: self.panel.label.setText(f"Importing {args[0]}"))
        task.finished.connect(self._finished)
        task.cancelled.connect(self._finished)
        task.failed.connect(lambda exc: self._finished(error=exc))
        self._update_buttons()

    def _finished(self, *_args: object, error: BaseException | None = None) -> None:
        lines = list(self.results)
        if error is not None:
            lines.append(f"✗ {error}")
        if self.panel.task is not None and self.panel.task.is_cancelled():
            lines.append("Stopped: the files listed above as done are stored; the others are not.")
        self.report.setPlainText("\n".join(lines))
        self._update_buttons()
        if any(line.startswith("✓") for line in lines):
            self.imported.emit()
