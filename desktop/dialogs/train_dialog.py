"""Model → Train with options: what `tagdesk train` lets one choose (`models.train.TrainOptions`): a new model or
an update of the project's pipeline (rehearsing what it knew), the held-out share and its seed or an evaluation
file, the steps and a time limit, the learning curve, and which labels. Train starts the same run as Ctrl+T
(`desktop/training.py`: a child process, progress and Cancel in the bar above the text)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import cast

from PySide6.QtCore import Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.project import Project
from models.train import TrainOptions

from ..widgets.flow_layout import FlowLayout


class TrainDialog(QDialog):
    train = Signal(object)  # TrainOptions

    def __init__(self, project: Project, options: TrainOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainDialog")
        self.setWindowTitle("Train a model")
        self.setMinimumWidth(520)
        self.project = project
        self.base = options
        self.start_from = QComboBox(self)
        self.start_from.setObjectName("trainFrom")
        self.start_from.addItem("A new model for the project's labels", "blank")
        pipeline = project.config.model.pipeline
        self.start_from.addItem(f"Update the project's pipeline ({pipeline or 'none set'})", "pipeline")
        cast(QStandardItemModel, self.start_from.model()).item(1).setEnabled(bool(pipeline))
        self.start_from.setCurrentIndex(max(0, self.start_from.findData(options.start)))
        self.rehearse = QCheckBox("Keep what it knew (rehearse its own predictions)", self)
        self.rehearse.setChecked(options.rehearse)
        self.rehearse.setToolTip(
            "It also learns from its own predictions over undecided documents, so it does not "
            "forget the entities it found before"
        )
        self.share = QDoubleSpinBox(self)
        self.share.setObjectName("trainShare")
        self.share.setRange(0.05, 0.5)
        self.share.setSingleStep(0.05)
        self.share.setValue(options.eval_share)
        self.seed = QSpinBox(self)
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(options.seed)
        self.eval_file = QLineEdit(str(options.eval_file or ""), self)
        self.eval_file.setObjectName("trainEvalFile")
        self.eval_file.setPlaceholderText("none: hold out the share above")
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self.choose_eval_file)
        self.steps = QSpinBox(self)
        self.steps.setObjectName("trainSteps")
        self.steps.setRange(10, 1_000_000)
        self.steps.setSingleStep(100)
        self.steps.setValue(options.max_steps)
        self.minutes = QSpinBox(self)
        self.minutes.setObjectName("trainMinutes")
        self.minutes.setRange(0, 24 * 60)
        self.minutes.setSpecialValueText("no limit")
        self.minutes.setSuffix(" minutes")
        self.minutes.setValue(int(options.max_minutes or 0))
        self.curve = QCheckBox("Learning curve (25, 50, 75 %: about 2.5x the time)", self)
        self.curve.setChecked(options.curve)
        self.labels: dict[str, QCheckBox] = {}
        label_row = FlowLayout()
        for name in project.config.label_names:
            box = QCheckBox(name, self)
            box.setChecked(not options.labels or name in options.labels)
            self.labels[name] = box
            label_row.addWidget(box)
        labels = QWidget(self)
        labels.setLayout(label_row)
        self.error = QLabel(self)
        self.error.setObjectName("errorText")
        self.go = QPushButton("Train", self)
        self.go.setObjectName("primary")
        self.go.setDefault(True)
        self.go.clicked.connect(self.start)
        cancel = QPushButton("Cancel", self)
        cancel.clicked.connect(self.reject)
        file_row = QHBoxLayout()
        file_row.addWidget(self.eval_file, 1)
        file_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Start from", self.start_from)
        form.addRow("", self.rehearse)
        form.addRow("Held out", self.share)
        form.addRow("Seed", self.seed)
        form.addRow("Or evaluate on", file_row)
        form.addRow("Steps at most", self.steps)
        form.addRow("Stop after", self.minutes)
        form.addRow("", self.curve)
        form.addRow("Labels", labels)
        bottom = QHBoxLayout()
        bottom.addWidget(self.error, 1)
        bottom.addWidget(self.go)
        bottom.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(bottom)
        self.start_from.currentIndexChanged.connect(lambda _i: self._changed())
        self.eval_file.textChanged.connect(lambda _t: self._changed())
        self._changed()

    def _changed(self) -> None:
        self.rehearse.setEnabled(self.start_from.currentData() == "pipeline")
        held = not self.eval_file.text().strip()
        self.share.setEnabled(held)
        self.seed.setEnabled(held)

    def choose_eval_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Annotated documents to evaluate on", str(self.project.folder))
        if path:
            self.eval_file.setText(path)

    def options(self) -> TrainOptions:
        chosen = tuple(n for n, box in self.labels.items() if box.isChecked())
        every = len(chosen) == len(self.labels)
        eval_file = self.eval_file.text().strip()
        return replace(
            self.base,
            start=self.start_from.currentData(),
            eval_share=round(self.share.value(), 2),
            seed=self.seed.value(),
            eval_file=Path(eval_file) if eval_file else None,
            max_steps=self.steps.value(),
            eval_frequency=min(self.base.eval_frequency, max(10, self.steps.value() // 10)),
            max_minutes=self.minutes.value() or None,
            curve=self.curve.isChecked(),
            rehearse=self.rehearse.isChecked(),
            labels=() if every else chosen,
        )

    def start(self) -> None:
        if not any(box.isChecked() for box in self.labels.values()):
            self.error.setText("Choose at least one label to train.")
            return
        self.train.emit(self.options())
        self.accept()
