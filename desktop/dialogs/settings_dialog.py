"""File → Project settings: what everyone on the project shares, kept in its database (what `tagdesk settings`
shows and changes): where suggestions come from (a spaCy pipeline, pattern files), what each of the model's labels
becomes (the label mapping), how many annotators see each document (overlap) and automatic retraining. Saving
calls `models.settings.change_settings`, the command's function: every value is checked before any is stored."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models import settings, store
from models.config import DROP
from models.errors import TagdeskError
from models.project import Project
from models.settings import MAX_OVERLAP
from models.team import REVIEWER

from ..tasks import Report, ShouldStop, run_task
from ..widgets.pipeline_choice import PipelineChoice

ITSELF = "\0itself"  # no mapping entry: the model's label is kept if it is a project label


class SettingsDialog(QDialog):
    saved = Signal(list)  # the keys changed

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Project settings")
        self.resize(660, 640)
        self.setMinimumWidth(520)
        self.project = project
        project.refresh()
        model = project.config.model
        about = QLabel(
            "Shared by everyone on this project: they are kept in its database. Changing where suggestions come "
            "from or what the model's labels become makes new suggestions.",
            self,
        )
        about.setObjectName("hint")
        about.setWordWrap(True)
        self.pipeline = PipelineChoice(model.pipeline, self)
        self.patterns = QListWidget(self)
        self.patterns.setObjectName("settingsPatterns")
        self.patterns.setMaximumHeight(90)
        self.patterns.addItems(model.patterns)
        self.patterns.setToolTip(
            "spaCy EntityRuler patterns, one JSON object a line; a pattern wins where it overlaps the model"
        )
        add_pattern = QPushButton("Add pattern file…", self)
        add_pattern.clicked.connect(self.choose_patterns)
        self.remove_pattern = QPushButton("Remove", self)
        self.remove_pattern.clicked.connect(lambda: self.patterns.takeItem(self.patterns.currentRow()))
        self.mapping = QTableWidget(0, 2, self)
        self.mapping.setObjectName("settingsMapping")
        self.mapping.setHorizontalHeaderLabels(["The model's label", "becomes"])
        self.mapping.verticalHeader().hide()
        self.mapping.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.mapping.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.mapping.setMinimumHeight(160)
        add_mapping = QPushButton("Add a model label…", self)
        add_mapping.clicked.connect(self.add_model_label)
        self.overlap = QSpinBox(self)
        self.overlap.setObjectName("settingsOverlap")
        self.overlap.setRange(1, MAX_OVERLAP)
        self.overlap.setValue(project.config.overlap)
        self.retrain = QSpinBox(self)
        self.retrain.setObjectName("settingsRetrain")
        self.retrain.setRange(0, 1_000_000)
        self.retrain.setSpecialValueText("never")
        self.retrain.setPrefix("after every ")
        self.retrain.setSuffix(" more accepted documents")
        self.retrain.setValue(model.retrain_every)
        self.error = QLabel(self)
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.note = QLabel(self)
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        self.save_button = QPushButton("Save", self)
        self.save_button.setObjectName("primary")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)

        pattern_row = QHBoxLayout()
        pattern_row.addWidget(add_pattern)
        pattern_row.addWidget(self.remove_pattern)
        pattern_row.addStretch(1)
        form = QFormLayout()
        form.addRow("Suggestions from", self.pipeline)
        form.addRow("Pattern files", self.patterns)
        form.addRow("", pattern_row)
        form.addRow("Labels", self.mapping)
        mapping_row = QHBoxLayout()
        mapping_row.addWidget(add_mapping)
        mapping_row.addStretch(1)
        form.addRow("", mapping_row)
        form.addRow("Annotators per document", self.overlap)
        form.addRow("Retrain the model", self.retrain)
        bottom = QHBoxLayout()
        bottom.addWidget(self.note, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form, 1)
        layout.addWidget(self.error)
        layout.addLayout(bottom)
        self._fill_mapping([])
        self._read_model_labels()
        self._show_rights()

    # -- the label mapping
    def _read_model_labels(self) -> None:
        """The labels the pipeline and pattern files produce (their meta.json and files, on the thread pool)."""
        project = self.project

        def read(_r: Report, _s: ShouldStop) -> list[str]:
            from models.suggest.carry import suggester_labels

            return sorted(suggester_labels(project) or ())

        task = run_task(read, name="model labels")
        task.finished.connect(lambda names: self._fill_mapping(names) if shiboken6.isValid(self) else None)

    def shown_labels(self) -> list[str]:
        """The model labels listed, in their rows' order."""
        items = [self.mapping.item(r, 0) for r in range(self.mapping.rowCount())]
        return [item.text() for item in items if item is not None]

    def _fill_mapping(self, produced: list[str]) -> None:
        current = self.mapping_value() if self.mapping.rowCount() else dict(self.project.config.model.label_map)
        shown = self.shown_labels()
        names = list(dict.fromkeys([*produced, *sorted(current), *shown]))
        self.mapping.setRowCount(0)
        for name in names:
            self._add_row(name, current.get(name, ITSELF))

    def _add_row(self, model_label: str, target: str) -> None:
        row = self.mapping.rowCount()
        self.mapping.insertRow(row)
        item = QTableWidgetItem(model_label)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.mapping.setItem(row, 0, item)
        choice = QComboBox(self.mapping)
        labels = self.project.config.label_names
        itself = f"itself ({model_label})" if model_label in labels else "dropped (not a label)"
        choice.addItem(itself, ITSELF)
        for name in labels:
            if name != model_label:
                choice.addItem(name, name)
        choice.addItem("dropped", DROP)
        index = choice.findData(target)
        if index < 0:  # a target that is no project label any more: shown, and refused when saved
            choice.addItem(f"{target} (not a project label)", target)
            index = choice.count() - 1
        choice.setCurrentIndex(index)
        self.mapping.setCellWidget(row, 1, choice)

    def mapping_value(self) -> dict[str, str]:
        out = {}
        for row, name in enumerate(self.shown_labels()):
            choice = self.mapping.cellWidget(row, 1)
            target = choice.currentData() if isinstance(choice, QComboBox) else ITSELF
            if target != ITSELF:
                out[name] = target
        return out

    def ask_text(self, title: str, prompt: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, prompt)
        return text if ok else None

    def add_model_label(self) -> None:
        name = (
            self.ask_text("Add a model label", "A label the model or a pattern file uses, e.g. NORP:") or ""
        ).strip()
        if not name:
            return
        shown = self.shown_labels()
        if name not in shown:
            self._add_row(name, ITSELF)
        self.mapping.setCurrentCell(shown.index(name) if name in shown else self.mapping.rowCount() - 1, 1)

    # -- pattern files
    def choose_patterns(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "EntityRuler pattern files", str(self.project.folder), "JSONL (*.jsonl);;All (*)"
        )
        self.add_patterns([Path(f) for f in files])

    def add_patterns(self, files: list[Path]) -> None:
        """Files inside the project folder are kept relative to it (the folder can move)."""
        for path in files:
            try:
                shown = str(path.resolve().relative_to(self.project.folder.resolve()))
            except ValueError:
                shown = str(path)
            self.patterns.addItem(shown)

    # -- saving
    def _show_rights(self) -> None:
        with self.project.session() as s:
            team = store.members(session=s)
        me = self.project.annotator
        if team and team.get(me) != REVIEWER:
            self.note.setText(f"Only a reviewer can change these; you ({me}) can read them.")
            self.save_button.setEnabled(False)

    def save(self) -> None:
        try:
            changed = settings.change_settings(
                self.project,
                pipeline=self.pipeline.value(),
                patterns=[self.patterns.item(i).text() for i in range(self.patterns.count())],
                label_map=self.mapping_value(),
                overlap=self.overlap.value(),
                retrain_every=self.retrain.value(),
            )
        except TagdeskError as exc:
            self.error.setText(f"Nothing was saved: {exc}")
            return
        self.error.clear()
        self.note.setText(f"Saved: {', '.join(changed)}." if changed else "Nothing changed.")
        self.saved.emit(changed)
        if {"pipeline", "patterns"} & set(changed):
            self._read_model_labels()  # the labels the new suggester produces
