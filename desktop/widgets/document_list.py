"""The document list: a lazily fetched table model over the store and the view that shows it.

Rows come a page at a time (`canFetchMore`/`fetchMore`), holding only id, position, a preview and the status:
a 100,000-document project does not load 100,000 texts.
"""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from models import store
from models.project import Project

PAGE = 200
STATUS_MARK = {"pending": "○", "accepted": "✔", "rejected": "✘", "ignored": "–"}
STATUS_COLOR = {"pending": "#8a8f98", "accepted": "#2e9d57", "rejected": "#d1453b", "ignored": "#b08900"}


class DocumentListModel(QAbstractTableModel):
    COLUMNS = ("", "#", "Document")

    def __init__(self, project: Project, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self.filters: dict[str, str | None] = {"status": None, "label": None, "search": None}
        self._rows: list[store.DocumentRow] = []
        self._total = 0
        self.reload()

    # -- data
    def reload(self) -> None:
        self.beginResetModel()
        with self.project.session() as s:
            self._total = store.count_documents(session=s, annotator=self.project.annotator, **self.filters)
            self._rows = store.document_rows(session=s, annotator=self.project.annotator, offset=0, limit=PAGE,
                                             **self.filters)
        self.endResetModel()

    def set_filters(self, **filters: str | None) -> None:
        self.filters.update({k: (v or None) for k, v in filters.items()})
        self.reload()

    def total(self) -> int:
        return self._total

    def row_of(self, index: int) -> store.DocumentRow:
        return self._rows[index]

    # -- Qt model
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def canFetchMore(self, parent: QModelIndex) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: QModelIndex) -> None:
        if parent.isValid():
            return
        with self.project.session() as s:
            more = store.document_rows(session=s, annotator=self.project.annotator, offset=len(self._rows),
                                       limit=PAGE, **self.filters)
        if more:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
            self._rows.extend(more)
            self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return STATUS_MARK.get(row.status, "?")
            if col == 1:
                return str(row.position + 1)
            return " ".join(row.preview.split())
        if role == Qt.ItemDataRole.ForegroundRole and col == 0:
            return QBrush(QColor(STATUS_COLOR.get(row.status, "#888888")))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.status} · {row.length:,} characters"
        if role == Qt.ItemDataRole.TextAlignmentRole and col < 2:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None


class DocumentList(QTableView):
    """The list view. Emits `document_chosen(document_id)`."""

    document_chosen = Signal(int)

    def __init__(self, project: Project, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("documentList")
        self.list_model = DocumentListModel(project, self)
        self.setModel(self.list_model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.setColumnWidth(0, 28)
        self.selectionModel().currentRowChanged.connect(self._current_changed)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.document_chosen.emit(self.list_model.row_of(current.row()).id)
