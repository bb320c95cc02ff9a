"""The document list: a lazily fetched table model over the store, with status/label filters and text search.

Rows come a page at a time (`canFetchMore`/`fetchMore`), holding only id, position, a preview and the status:
a 100,000-document project does not load 100,000 texts. Jumping to a document deep in the list (restoring the
last one, back, undo) finds its row with one COUNT and loads the rows up to it in one query. A filter or search
change reads its count and first rows on the thread pool (a search scans every text).
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QSize, Qt, QTimer, Signal
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
from models.errors import TagdeskError
from models.project import Project
from resources import resource_path

from ..errors import READ_FAILED, read_errors
from ..tasks import Task, run_task

PAGE = 200
STATUSES = [s.value for s in Status]


def status_icon(status: str) -> QIcon:
    return QIcon(str(resource_path("icons", f"status-{status}.svg")))


def clean_filters(filters: dict[str, str | None]) -> dict[str, str | None]:
    return {k: (v or None) for k, v in filters.items()}


def first_page(
    project: Project, filters: dict[str, str | None], keep: int | None, should_stop: Callable[[], bool] = lambda: False
) -> tuple[int, list[store.DocumentRow], int | None]:
    """(total, rows, row of `keep`) under `filters`: the count, then the rows up to the document `keep` (if the
    filters show it) or the first page. Opens its own session: runs on a worker thread when filters change."""
    with project.session() as s:
        total = store.count_documents(session=s, annotator=project.annotator, **filters)
        if should_stop():
            return total, [], None
        row = store.filtered_row_of(keep, session=s, annotator=project.annotator, **filters) if keep else None
        limit = PAGE if row is None else -(-(row + 1) // PAGE) * PAGE
        rows = store.document_rows(session=s, annotator=project.annotator, offset=0, limit=limit, **filters)
    return total, rows, row


class DocumentListModel(QAbstractTableModel):
    COLUMNS = ("", "#", "Document")

    def __init__(self, project: Project, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self.filters: dict[str, str | None] = {"status": None, "label": None, "search": None, "flag": None}
        self._rows: list[store.DocumentRow] = []
        self._index: dict[int, int] = {}
        self._total = 0
        self._icons = {s: status_icon(s) for s in STATUSES}
        self.reload()

    # -- data
    def reload(self) -> None:
        """Read the first page under the current filters, on this thread (see `first_page` for the worker)."""
        self.show_page(self.filters, *first_page(self.project, self.filters, None))

    def show_page(
        self, filters: dict[str, str | None], total: int, rows: list[store.DocumentRow], _kept_row: int | None = None
    ) -> None:
        """Replace the list by rows read under `filters` (by `first_page`, maybe on a worker thread)."""
        self.beginResetModel()
        self.filters = dict(filters)
        self._total = total
        self._rows = list(rows)
        self._index = {r.id: i for i, r in enumerate(self._rows)}
        self.endResetModel()

    def set_filters(self, **filters: str | None) -> None:
        self.filters.update(clean_filters(filters))
        self.reload()

    def total(self) -> int:
        return self._total

    def row_of(self, index: int) -> store.DocumentRow:
        return self._rows[index]

    def row_for(self, document_id: int) -> int | None:
        return self._index.get(document_id)

    def set_status(self, document_id: int, status: str) -> None:
        i = self._index.get(document_id)
        if i is None:
            return
        old = self._rows[i]
        self._rows[i] = store.DocumentRow(old.id, old.position, old.preview, old.length, status)
        self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.COLUMNS) - 1))

    # -- Qt model
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def canFetchMore(self, parent: QModelIndex) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: QModelIndex) -> None:
        if not parent.isValid():
            self._load(PAGE)

    def load_document(self, document_id: int) -> int | None:
        """The row of a document, loading the rows up to it (one COUNT, at most one page query) if needed.
        None if the filters hide it."""
        row = self._index.get(document_id)
        if row is not None:
            return row
        with self.project.session() as s:
            row = store.filtered_row_of(document_id, session=s, annotator=self.project.annotator, **self.filters)
        if row is None:
            return None
        self._load(row + 1 - len(self._rows))
        return self._index.get(document_id)

    def _load(self, count: int) -> None:
        """Append the next `count` rows (rounded up to a whole page) in one query."""
        if count <= 0:
            return
        with self.project.session() as s:
            more = store.document_rows(
                session=s,
                annotator=self.project.annotator,
                offset=len(self._rows),
                limit=-(-count // PAGE) * PAGE,
                **self.filters,
            )
        if more:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
            self._rows.extend(more)
            self._index.update({r.id: first + i for i, r in enumerate(more)})
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
    filters_applied = Signal()  # the list now shows the filters' results (read in the background)

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentPanel")
        self.list_model = DocumentListModel(project, self)
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

        self._filtering: Task | None = None  # the latest filter change being read in the background
        self._search_timer = QTimer(self, singleShot=True, interval=250, timeout=self._apply_filters)
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

    # -- filters
    def filtering(self) -> bool:
        """True while a filter change is being read (the list still shows the previous filters)."""
        return self._filtering is not None

    def _apply_filters(self) -> None:
        """Read the count and first rows under the new filters on the thread pool (a search scans every text);
        a newer change makes older results stale: they are dropped."""
        filters = clean_filters(
            {
                "status": self.status_filter.currentData(),
                "label": self.label_filter.currentData(),
                "search": self.search.text().strip(),
                "flag": self.flag_filter.currentData(),
            }
        )
        if self._filtering is not None:
            self._filtering.cancel()
        project, keep = self.list_model.project, self.current_document()
        task = run_task(lambda _report, stop: first_page(project, filters, keep, stop), name="filter documents")
        self._filtering = task
        self.count.setText("Searching…" if filters["search"] else "Filtering…")
        task.finished.connect(lambda result, t=task: self._filtered(t, filters, keep, result))
        task.failed.connect(lambda exc, t=task: self._filter_failed(t, exc))

    def _filtered(
        self,
        task: Task,
        filters: dict[str, str | None],
        keep: int | None,
        result: tuple[int, list[store.DocumentRow], int | None],
    ) -> None:
        if not shiboken6.isValid(self) or task is not self._filtering:
            return  # stale (a newer filter change is on its way), or the list is gone
        self._filtering = None
        current = self.current_document()
        self.list_model.show_page(filters, *result)
        self._update_count()
        if current is not None and not (current == keep and result[2] is None):
            self.select_document(current, emit=False)  # already loaded when it is `keep`: no query here
        else:
            self.table.scrollToTop()
        self.filters_applied.emit()

    def _filter_failed(self, task: Task, exc: BaseException) -> None:
        if not shiboken6.isValid(self) or task is not self._filtering:
            return
        self._filtering = None
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

    def select_next(self) -> bool:
        """After a decision: the next pending document below the current one (else the next one)."""
        model = self.list_model
        idx = self.table.currentIndex()
        start = idx.row() + 1 if idx.isValid() else 0
        row = start
        while True:
            while row >= model.rowCount() and model.canFetchMore(QModelIndex()):
                model.fetchMore(QModelIndex())
            if row >= model.rowCount() or row - start > 2 * PAGE:
                break
            if model.row_of(row).status == Status.pending.value:
                self.select_row(row)
                return True
            row += 1
        if start < model.rowCount():
            self.select_row(start)
            return True
        self.message.emit("That was the last document in this list")
        return False

    def step(self, delta: int) -> None:
        idx = self.table.currentIndex()
        row = (idx.row() if idx.isValid() else -1) + delta
        if row >= self.list_model.rowCount() and self.list_model.canFetchMore(QModelIndex()):
            self.list_model.fetchMore(QModelIndex())
        if 0 <= row < self.list_model.rowCount():
            self.select_row(row)

    def set_status(self, document_id: int, status: str) -> None:
        self.list_model.set_status(document_id, status)
