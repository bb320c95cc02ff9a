"""The document list: a thin Qt table model over `models.doclist.DocumentListing`, with status/label filters,
text search, and a refresh that shows others' changes without losing the row on screen.

The rows and how they are read (by key, a page at a time, no full texts) live in `models/doclist.py`; this
module only announces them to Qt. Reading the list again (new filters, a search, changes made elsewhere) runs
`read_page` on the thread pool: a search scans every text. A newer read makes an older one stale: it is dropped.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models import store
from models.db.tables import Status
from models.doclist import DocumentListing, ListPage, read_page
from models.errors import TagdeskError
from models.project import Project
from models.store import DocumentRow, ListFilters
from models.store.listing import Key
from resources import resource_path

from ..errors import READ_FAILED, read_errors
from ..tasks import Report, ShouldStop, Task, run_task

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

    def set_filters(self, **filters: str | None) -> None:
        self.listing.filters = ListFilters(**filters)
        self.reload()

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


class DocumentList(QWidget):
    """Search, filters and the list. Emits `document_chosen(document_id)` when the current row changes."""

    document_chosen = Signal(int)
    message = Signal(str)
    filters_applied = Signal(object)  # ListFilters: the list now shows their results (read in the background)
    refreshed = Signal()  # the list was read again with others' changes

    def __init__(self, project: Project, parent: QWidget | None = None, *, annotator: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentPanel")
        self.list_model = DocumentListModel(project, self, annotator=annotator)
        self.table = DocumentTable(self.list_model, self)

        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search text…")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(
            QIcon(str(resource_path("icons", "search.svg"))), QLineEdit.ActionPosition.LeadingPosition
        )
        self.status_filter = QComboBox(self)
        self.status_filter.addItem("All statuses", None)
        for s in STATUSES:
            self.status_filter.addItem(status_icon(s), s.capitalize(), s)
        self.label_filter = QComboBox(self)
        self.set_labels(project.config.label_names)
        self.flag_filter = QComboBox(self)
        self.flag_filter.setObjectName("flagFilter")
        self.flag_filter.addItem("Any flag or none", None)
        self.flag_filter.addItem("Flagged", store.ANY_FLAG)
        for flag in store.FLAGS:
            self.flag_filter.addItem(f"Flagged {flag}", flag)
        self.flag_filter.setToolTip("Documents someone flagged (any annotator)")
        for combo in (self.status_filter, self.label_filter, self.flag_filter):
            combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            combo.setMinimumContentsLength(6)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.count = QLabel(self)
        self.count.setObjectName("listCount")

        filters = QHBoxLayout()
        filters.setSpacing(6)
        filters.addWidget(self.status_filter, 1)
        filters.addWidget(self.label_filter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 0, 6)
        layout.setSpacing(8)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.flag_filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)

        self._reading: Task | None = None  # the latest read of the list in the background (filters, refresh)
        self._reading_refresh = False
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self._apply_filters)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._apply_filters)
        self.status_filter.currentIndexChanged.connect(self._apply_filters)
        self.label_filter.currentIndexChanged.connect(self._apply_filters)
        self.flag_filter.currentIndexChanged.connect(self._apply_filters)
        self.setMinimumWidth(180)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.list_model.modelReset.connect(self._fit_number_column)
        self._fit_number_column()
        self._update_count()

    def _fit_number_column(self) -> None:
        """Room for the widest position number ("20000" needs more than "200"); the first, unfiltered list
        gives the largest count (positions under a filter go as high)."""
        self._widest = max(getattr(self, "_widest", 1), self.list_model.total())
        digits = self.table.fontMetrics().horizontalAdvance(str(self._widest))
        self.table.setColumnWidth(1, max(44, digits + 24))  # the theme pads cells by 6 px a side

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):  # the theme sets the font size
            self._fit_number_column()
        super().changeEvent(event)

    # -- filters and refreshing
    def filters(self) -> ListFilters:
        """The filters whose results the list shows (not those still being read)."""
        return self.list_model.filters

    def filtering(self) -> bool:
        """True while a filter change or a refresh is being read (the list still shows the previous rows)."""
        return self._reading is not None

    def _wanted_filters(self) -> ListFilters:
        return ListFilters(
            status=self.status_filter.currentData(),
            label=self.label_filter.currentData(),
            search=self.search.text(),
            flag=self.flag_filter.currentData(),
        )

    def _apply_filters(self) -> None:
        """Read the count and first rows under the new filters, through the document on screen if they show it."""
        filters = self._wanted_filters()
        self.count.setText("Searching…" if filters.search else "Filtering…")
        self._read(filters, reach=self.current_document(), refresh=False)

    def refresh(self) -> None:
        """Read the rows loaded so far again (others' changes: statuses, new documents, a new count), keeping the
        document on screen listed and selected. A filter change on its way already reads everything anew."""
        if self._reading is not None and not self._reading_refresh:
            return
        current = self.current_document()
        self._read(self.filters(), reach=current, through=self.list_model.listing.last_key, keep=current, refresh=True)

    def _read(
        self,
        filters: ListFilters,
        *,
        reach: int | None,
        through: Key | None = None,
        keep: int | None = None,
        refresh: bool,
    ) -> None:
        if self._reading is not None:
            self._reading.cancel()
        project, who = self.list_model.project, self.list_model.listing.annotator

        def work(_report: Report, stop: ShouldStop) -> ListPage:
            return read_page(project, filters, reach=reach, through=through, keep=keep, should_stop=stop, annotator=who)

        task = run_task(work, name="refresh documents" if refresh else "filter documents")
        self._reading, self._reading_refresh = task, refresh
        task.finished.connect(lambda page, t=task: self._was_read(t, page, reach, refresh))
        task.failed.connect(lambda exc, t=task: self._read_failed(t, exc))

    def _was_read(self, task: Task, page: ListPage, reach: int | None, refresh: bool) -> None:
        if not shiboken6.isValid(self) or task is not self._reading:
            return  # stale (a newer read is on its way), or the list is gone
        self._reading = None
        current = self.current_document()
        if refresh and current == reach and self.list_model.update_rows(page):
            self._update_count()
            self.refreshed.emit()
            return
        bar = self.table.verticalScrollBar()
        scrolled = bar.value()
        self.list_model.show_page(page)
        self._update_count()
        row = None if current is None else self.list_model.row_for(current)
        if current is None or row is None:  # not listed under these filters
            self.table.scrollToTop()
        elif current != reach or not refresh:
            self.select_document(current, emit=False)
        else:
            self._select_quietly(row)
            bar.setValue(scrolled)  # the rows above may have changed; stay where the annotator was looking
            self.table.scrollTo(self.list_model.index(row, 0))
        if refresh:
            self.refreshed.emit()
        else:
            self.filters_applied.emit(page.filters)

    def _read_failed(self, task: Task, exc: BaseException) -> None:
        if not shiboken6.isValid(self) or task is not self._reading:
            return
        self._reading = None
        self._update_count()
        if not isinstance(exc, TagdeskError):
            raise exc
        self.message.emit(f"{READ_FAILED}: {exc}")

    def set_labels(self, names: list[str]) -> None:
        """The label filter's choices (after labels changed); a filter on a label that is gone is cleared."""
        current = self.label_filter.currentData()
        self.label_filter.blockSignals(True)
        self.label_filter.clear()
        self.label_filter.addItem("All labels", None)
        for name in names:
            self.label_filter.addItem(name, name)
        self.label_filter.setCurrentIndex(max(0, self.label_filter.findData(current)))
        self.label_filter.blockSignals(False)
        if current is not None and current not in names:
            self._apply_filters()

    def refresh_count(self) -> None:
        self._fit_number_column()
        self._update_count()

    def _update_count(self) -> None:
        total = self.list_model.total()
        self.count.setText(f"{total:,} document{'s' if total != 1 else ''}")

    # -- selection
    def current_document(self) -> int | None:
        idx = self.table.currentIndex()
        return self.list_model.row_of(idx.row()).id if idx.isValid() else None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and self._emit:
            self.document_chosen.emit(self.list_model.row_of(current.row()).id)

    _emit = True

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.scrollTo(self.list_model.index(row, 0))

    def _select_quietly(self, row: int) -> None:
        self._emit = False
        try:
            self.table.selectRow(row)
        finally:
            self._emit = True

    def select_document(self, document_id: int, *, emit: bool = True) -> bool:
        """Make a document the current row, loading the rows up to it in one query. False if the filters hide it."""
        row = None
        with read_errors(self.message.emit):
            row = self.list_model.load_document(document_id)
        if row is None:
            self.table.clearSelection()
            return False
        self._emit = emit
        try:
            self.select_row(row)
        finally:
            self._emit = True
        return True

    def step(self, delta: int) -> None:
        """The next or previous row of the list (Ctrl+Down / Ctrl+Up)."""
        idx = self.table.currentIndex()
        row = (idx.row() if idx.isValid() else -1) + delta
        if row >= self.list_model.rowCount() and self.list_model.canFetchMore(QModelIndex()):
            with read_errors(self.message.emit):
                self.list_model.fetchMore(QModelIndex())
        if 0 <= row < self.list_model.rowCount():
            self.select_row(row)

    def set_status(self, document_id: int, status: str) -> None:
        self.list_model.set_status(document_id, status)
