"""The Model panel: which model suggests, the scores per label of a trained version, its learning curve (a `Plot`,
in the theme's colours), and the history of trained versions with a button to use the selected one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.project import Project
from models.train import ModelVersion, current_version, list_versions

from .plot import Plot

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _table(headers: list[str], parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setShowGrid(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table


def _cell(text: str, *, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


NARROW = 720  # pixels: below this the scores go above the learning curve


class ModelPanel(QDialog):
    use_requested = Signal(object)  # ModelVersion

    def __init__(self, project: Project, theme: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelPanel")
        self.setWindowTitle("Model — Tagdesk")
        self.project = project
        self.versions: list[ModelVersion] = []
        self.heading = QLabel(self)
        self.heading.setObjectName("panelTitle")
        self.heading.setWordWrap(True)
        self.advice = QLabel(self)
        self.advice.setWordWrap(True)
        self.scores = _table(["Label", "P", "R", "F", "n"], self)
        for col, tip in enumerate(["", "Precision", "Recall", "F score", "Entities in the evaluation set"]):
            header = self.scores.horizontalHeaderItem(col)
            if tip and header is not None:  # _table made every header item
                header.setToolTip(tip)
            if col:
                self.scores.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.history = _table(["#", "Trained", "From", "Documents", "F"], self)
        self.plot = Plot(theme, self, height=2.6)
        self.use_button = QPushButton("Use this model for suggestions", self)
        self.use_button.clicked.connect(self._use_selected)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)

        self.top = top = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(top)
        lcol = QVBoxLayout(left)
        lcol.setContentsMargins(0, 0, 0, 0)
        lcol.addWidget(QLabel("Scores on the evaluation set", left))
        lcol.addWidget(self.scores, 1)
        right = QWidget(top)
        rcol = QVBoxLayout(right)
        rcol.setContentsMargins(0, 0, 0, 0)
        rcol.addWidget(self.plot, 1)
        rcol.addWidget(self.advice)
        top.addWidget(left)
        top.addWidget(right)
        top.setSizes([360, 500])
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(top, 3)
        layout.addWidget(QLabel("Trained models", self))
        layout.addWidget(self.history, 2)
        layout.addLayout(buttons)
        self.resize(860, 640)
        self.history.itemSelectionChanged.connect(self._selection_changed)
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Scores beside the curve, or above it when the panel is too narrow for both."""
        narrow = event.size().width() < NARROW
        self.top.setOrientation(Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal)
        super().resizeEvent(event)

    # -- content
    def refresh(self) -> None:
        self.versions = list_versions(self.project)
        current = current_version(self.project)
        pipeline = self.project.config.model.pipeline or "patterns only"
        if current is not None:
            self.heading.setText(f"Suggestions come from model {current.name} (F {current.f or 0:.2f})")
        else:
            self.heading.setText(
                f"Suggestions come from {pipeline}" + ("" if self.versions else "; no model trained yet")
            )
        self.history.setRowCount(len(self.versions))
        for row, v in enumerate(reversed(self.versions)):
            docs = v.meta.get("documents", {})
            mark = " (in use)" if current == v else ""
            self.history.setItem(row, 0, _cell(v.name + mark))
            self.history.setItem(row, 1, _cell(str(v.meta.get("created", ""))[:16].replace("T", " ")))
            self.history.setItem(row, 2, _cell(str(v.meta.get("from", ""))))
            self.history.setItem(row, 3, _cell(f"{docs.get('train', 0)} + {docs.get('eval', 0)} held out", right=True))
            self.history.setItem(row, 4, _cell(f"{v.f or 0:.2f}", right=True))
        if self.versions:
            shown = current or self.versions[-1]
            self.history.selectRow(list(reversed(self.versions)).index(shown))
        else:
            self.show_version(None)

    def selected(self) -> ModelVersion | None:
        rows = self.history.selectionModel().selectedRows()
        if not rows:
            return None
        return list(reversed(self.versions))[rows[0].row()]

    def _selection_changed(self) -> None:
        self.show_version(self.selected())

    def show_version(self, version: ModelVersion | None) -> None:
        current = current_version(self.project)
        self.use_button.setEnabled(version is not None and version != current)
        per = (version.meta.get("scores") or {}).get("per_label", {}) if version else {}
        self.scores.setRowCount(len(per) + (1 if per else 0))
        for row, (label, v) in enumerate(per.items()):
            for col, text in enumerate([label, f"{v['p']:.2f}", f"{v['r']:.2f}", f"{v['f']:.2f}", str(v.get("n", ""))]):
                self.scores.setItem(row, col, _cell(text, right=col > 0))
        if per and version:
            s = version.meta["scores"]
            for col, text in enumerate(["All", f"{s['p']:.2f}", f"{s['r']:.2f}", f"{s['f']:.2f}", ""]):
                item = _cell(text, right=col > 0)
                font = item.font()
                font.setBold(True)
                item.setFont(font)
                self.scores.setItem(len(per), col, item)
        self.advice.setText(version.meta.get("advice", "") if version else "Train a model: Model → Train.")
        self._plot(version)

    def _plot(self, version: ModelVersion | None) -> None:
        c = self.plot.colors
        fg, bg = c["text"], c["base"]
        curve = version.meta.get("curve", []) if version else []
        baseline = version.meta.get("baseline") if version else None

        def draw(ax: Axes) -> None:
            if curve:
                xs = [p["documents"] for p in curve]
                ys = [p["f"] for p in curve]
                ax.plot(xs, ys, marker="o", color=c["highlight"], linewidth=2, label="this model")
                for x, y in zip(xs, ys, strict=True):
                    ax.annotate(
                        f"{y:.2f}", (x, y), textcoords="offset points", xytext=(0, 7), ha="center", color=fg, fontsize=8
                    )
                if baseline:
                    label = f"before ({baseline.get('pipeline', 'current')}): {baseline['f']:.2f}"
                    ax.axhline(baseline["f"], color=c["muted"], linestyle="--", linewidth=1, label=label)
                legend = ax.legend(loc="best", fontsize=8, facecolor=bg, edgecolor=c["mid"], labelcolor=fg)
                legend.get_frame().set_alpha(0.9)
            else:
                ax.text(0.5, 0.5, "no learning curve yet", ha="center", va="center", color=fg, transform=ax.transAxes)
            ax.set_ylim(0, 1.14)
            ax.set_xlabel("training documents", fontsize=9)
            ax.set_ylabel("F", fontsize=9)
            ax.grid(alpha=0.25, color=c["mid"])

        self.plot.draw(draw, "Learning curve", counts="x")

    def _use_selected(self) -> None:
        version = self.selected()
        if version is not None:
            self.use_requested.emit(version)
            self.refresh()
