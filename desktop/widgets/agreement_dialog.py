"""View -> Agreement between annotators: the figures of `tagdesk agreement`, measured in the background."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.metrics.agreement import SpanCounts
from models.metrics.report import AgreementReport, project_agreement
from models.project import Project

from ..tasks import Task, run_task


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _f1(counts: SpanCounts) -> str:
    return _num(counts.f1)


class AgreementDialog(QDialog):
    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agreementDialog")
        self.setWindowTitle("Agreement between annotators")
        self.resize(680, 560)
        self.project = project
        self.summary = QLabel("Measuring agreement…", self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.pairs = self._tree(["Annotators", "Docs", "Differ", "Exact F1", "Overlap F1", "Kappa"])
        self.labels = self._tree(["Label", "Spans", "Exact F1", "Overlap F1"])
        self.note = QLabel(
            "Exact: same start, end and label. Overlap: same label, a character in common. Kappa: Cohen's, per "
            "token (entity label or O). Alpha: Krippendorff's, over all annotators.",
            self,
        )
        self.note.setWordWrap(True)
        self.note.setObjectName("dialogNote")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.bar)
        layout.addWidget(QLabel("Pairs of annotators", self))
        layout.addWidget(self.pairs, 3)
        layout.addWidget(QLabel("Labels (all pairs)", self))
        layout.addWidget(self.labels, 2)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.report: AgreementReport | None = None
        self.task: Task | None = run_task(
            lambda report, stop: project_agreement(project, on_progress=report, should_stop=stop),
            name="agreement",
        )
        self.task.progress.connect(self._progress)
        self.task.finished.connect(self.show_report)
        self.task.failed.connect(lambda exc: self._failed(str(exc)))
        self.finished.connect(self._stop)

    def _tree(self, columns: list[str]) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setColumnCount(len(columns))
        tree.setHeaderLabels(columns)
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        header = tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(48)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for i in range(1, len(columns)):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        return tree

    def _progress(self, args: tuple[int, int]) -> None:
        done, total = args
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)

    def _failed(self, text: str) -> None:
        self.bar.hide()
        self.summary.setText(f"Agreement could not be measured: {text}")

    def _stop(self) -> None:
        if self.task is not None and not self.task.done:
            self.task.cancel()

    def show_report(self, report: AgreementReport) -> None:
        self.report = report
        self.bar.hide()
        a, overlap = report.agreement, report.overlap
        if a.documents == 0:
            self.summary.setText(
                "No document was accepted by two or more annotators yet, so there is no agreement to measure "
                f"({overlap.single} accepted by one). Give documents to several annotators, or import each "
                "annotator's file with tagdesk import --annotator NAME."
            )
            return
        self.summary.setText(
            f"{a.documents} documents accepted by two or more of {len(a.annotators)} annotators "
            f"({', '.join(a.annotators)}); {a.documents_differing} with differences to review.\n"
            f"Krippendorff's alpha {_num(a.alpha)} · span F1 exact {_f1(a.total('exact'))}, "
            f"overlap {_f1(a.total('overlap'))}"
            + (f"\nNot compared: {overlap.single} documents accepted by only one annotator." if overlap.single else "")
        )
        for tree in (self.pairs, self.labels):
            tree.headerItem().setTextAlignment(0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            for col in range(1, tree.columnCount()):
                tree.headerItem().setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for pair in a.pairs:
            row = QTreeWidgetItem(
                self.pairs,
                [
                    " / ".join(pair.annotators),
                    str(pair.documents),
                    str(pair.documents_differing),
                    _f1(pair.total("exact")),
                    _f1(pair.total("overlap")),
                    _num(pair.kappa),
                ],
            )
            for col in range(1, 6):
                row.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        exact, over = a.by_label("exact"), a.by_label("overlap")
        for label, counts in exact.items():
            row = QTreeWidgetItem(self.labels, [label, str(counts.a + counts.b), _f1(counts), _f1(over[label])])
            for col in range(1, 4):
                row.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
