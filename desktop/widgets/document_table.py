"""The document list's rows on screen: a thin Qt table model over `models.doclist.DocumentListing` (rows read by
key, a page at a time, no full texts) and the table view that shows them. The panel around them, with its search,
filters and sort, is `document_list.py`."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from models.db.tables import Status
from models.doclist import DocumentListing, ListPage, read_page
from models.project import Project
from models.store import DocumentRow, ListFilters
from resources import resource_path

STATUSES = [s.value for s in Status]


def status_icon(status: str) -> QIcon:
    return QIcon(str(resource_path("icons", f"status-{status}.svg")))


class DocumentListModel(QAbstractTableModel):
    COLUMNS = ("", "#", "Document")

    def __init__(self, project: Project, parent: QObject | None = None, *, annotator: str | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.listing = DocumentListing(project, annotator)
        self._icons = {s: status_icon(s) for s in STATUSES}
        self.reload()

    # -- data
    @property
    def filters(self) -> ListFilters:
        return self.listing.filters

    def reload(self) -> None:
        """Read the first page under the current filters, on this thread (`read_page` runs on a worker when the
        filters change)."""
        self.show_page(read_page(self.project, self.listing.filters, annotator=self.listing.annotator))

    def show_page(self, page: ListPage) -> None:
        """Replace the list by rows read by `read_page` (maybe on a worker thread)."""
        self.beginResetModel()
        self.listing.replace(page)
        self.endResetModel()

    def update_rows(self, page: ListPage) -> bool:
        """The same rows read again (others' changes): only their statuses changed, so the rows are updated in
        place and the view keeps its selection and scroll position. False if rows came or went (replace them)."""
        if page.filters != self.listing.filters or [r.id for r in page.rows] != [r.id for r in self.listing.rows]:
            return False
        self.listing.total, self.listing.exhausted = page.total, page.exhausted
        for old, row in zip(self.listing.rows, page.rows, strict=True):  # the same ids, in the same order
            if old.status != row.status:
                self.set_status(row.id, row.status)
        return True

    def total(self) -> int:
        return self.listing.total

    def row_of(self, index: int) -> DocumentRow:
        return self.listing.rows[index]

    def row_for(self, document_id: int) -> int | None:
        return self.listing.row_of(document_id)

    def set_status(self, document_id: int, status: str) -> None:
        i = self.listing.set_status(document_id, status)
        if i is not None:
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.COLUMNS) - 1))

    # -- Qt model
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.listing.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and not self.listing.exhausted

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if not parent.isValid():
            self._append(self.listing.read_more())

    def load_document(self, document_id: int) -> int | None:
        """The row of a document, loading the rows up to it (one query) if needed. None if the filters hide it."""
        rows = self.listing.read_to(document_id)
        if rows is None:
            return None
        self._append(rows)
        return self.listing.row_of(document_id)

    def _append(self, rows: list[DocumentRow]) -> None:
        if rows:
            first = len(self.listing.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self.listing.append(rows)
            self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self.listing.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return self._icons.get(row.status)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 1:
                return str(row.position + 1)
            if col == 2:
                return " ".join(row.preview.split())
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.status} · {row.length:,} characters"
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None


class DocumentTable(QTableView):
    def __init__(self, model: DocumentListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentList")
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setIconSize(QSize(14, 14))
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(30)
        self.horizontalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.setColumnWidth(0, 30)
        self.setColumnWidth(1, 44)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
