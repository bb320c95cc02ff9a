"""The main window: wires widgets and actions; no logic of its own."""
from __future__ import annotations

from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QPlainTextEdit, QSplitter

from models import store
from models.project import Project

from .widgets.document_list import DocumentList


class MainWindow(QMainWindow):
    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self.setWindowTitle(f"{project.config.project.name} — Tagdesk")
        self.resize(1200, 780)

        self.documents = DocumentList(project, self)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("textView")
        self.text.setReadOnly(True)
        font = QFont()
        font.setPointSize(12)
        self.text.setFont(font)
        splitter = QSplitter(self)
        splitter.addWidget(self.documents)
        splitter.addWidget(self.text)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 820])
        self.setCentralWidget(splitter)

        self.position = QLabel(self)
        self.statusBar().addPermanentWidget(self.position)
        self.documents.document_chosen.connect(self.show_document)

        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close)
        self.menuBar().addMenu("&File").addAction(quit_action)

        total = self.documents.list_model.total()
        self.statusBar().showMessage(f"{total} documents · annotator {project.annotator}")
        if total:
            self.documents.selectRow(0)

    def show_document(self, document_id: int) -> None:
        with self.project.session() as s:
            doc = store.get_document(document_id, session=s)
            total = store.document_count(session=s)
        self.text.setPlainText(doc.text)
        self.position.setText(f"doc {doc.position + 1} of {total}")
