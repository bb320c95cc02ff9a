"""The document list panel: the rows (`document_table.py`) with status/label/flag filters, text search, a sort
(project order, or most uncertain first: the order a / x / Space then take), and a refresh that shows others'
changes without losing the row on screen.

The rows and how they are read (by key, a page at a time, no full texts) live in `models/doclist.py`. Reading
the list again (new filters, a search, a sort, changes made elsewhere) runs `read_page` on the thread pool: a
search scans every text. A newer read makes an older one stale: it is dropped.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QComboBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from models import store
from models.doclist import ListPage, read_page
from models.errors import TagdeskError
from models.project import Project
from models.store import ListFilters
from models.store.listing import Key
from resources import resource_path

from ..errors import READ_FAILED, read_errors
from ..tasks import Report, ShouldStop, Task, run_task
from .document_table import STATUSES, DocumentListModel, DocumentTable, status_icon

ORDERS = (
    ("position", "Project order", "Documents in project order; a / x / Space go to the next one to do"),
    (
        "uncertain",
        "Most uncertain first",
        "The documents whose suggestions the model is least sure of first (not yet scored: last); "
        "a / x / Space go to the most uncertain one still to do",
    ),
)
RESORT_MS = 2000  # while scores arrive, a list sorted by them is read again at most this often
COMBO_CHROME = 44  # pixels of a combo box beside its text: padding, frame, the drop-down arrow


class DocumentList(QWidget):
    """Search, filters and the list. Emits `document_chosen(document_id)` when the current row changes."""

    document_chosen = Signal(int)
    message = Signal(str)
    filters_applied = Signal(object)  # ListFilters: the list now shows their results (read in the background)
    refreshed = Signal()  # the list was read again with others' changes
    order_changed = Signal(str)  # the sort chosen ("position" or "uncertain"), before the list is read in it

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
        self.order_choice = QComboBox(self)
        self.order_choice.setObjectName("orderChoice")
        for order, text, tip in ORDERS:
            self.order_choice.addItem(text, order)
            self.order_choice.setItemData(self.order_choice.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.order_choice.setToolTip("How the list is sorted: the order a / x / Space take the documents in")
        self.model_key: str | None = None  # the suggestions whose uncertainty sorts the list
        for combo in (self.status_filter, self.label_filter, self.flag_filter, self.order_choice):
            combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            combo.setMinimumContentsLength(6)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.count = QLabel(self)
        self.count.setObjectName("listCount")

        self.filter_row = filters = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        filters.setSpacing(6)
        filters.addWidget(self.status_filter, 1)
        filters.addWidget(self.label_filter, 1)
        self.column = layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 0, 6)
        layout.setSpacing(8)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.flag_filter)
        layout.addWidget(self.order_choice)
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
        self.order_choice.currentIndexChanged.connect(self._order_chosen)
        self._resort_timer = QTimer(self)  # a list sorted by uncertainty, read again as scores arrive
        self._resort_timer.setSingleShot(True)
        self._resort_timer.setInterval(RESORT_MS)
        self._resort_timer.timeout.connect(self.refresh)
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
        order = self.order()
        return ListFilters(
            status=self.status_filter.currentData(),
            label=self.label_filter.currentData(),
            search=self.search.text(),
            flag=self.flag_filter.currentData(),
            order=order,
            model=self.model_key if order == "uncertain" else None,
        )

    # -- the sort
    def order(self) -> str:
        """The sort chosen: "position" or "uncertain" (most uncertain first)."""
        return str(self.order_choice.currentData())

    def set_order(self, order: str) -> None:
        """Sort the list (and so the order a / x / Space take) by project order or most uncertain first."""
        self.order_choice.setCurrentIndex(max(0, self.order_choice.findData(order)))

    def _order_chosen(self) -> None:
        self.order_changed.emit(self.order())
        self._apply_filters()

    def set_model_key(self, key: str | None) -> None:
        """The suggestions shown are now those of `key`: a list sorted by uncertainty is sorted by theirs."""
        if key == self.model_key:
            return
        self.model_key = key
        if self.order() == "uncertain":
            self._apply_filters()

    def scores_arrived(self) -> None:
        """New suggestions (with their uncertainty) were stored: a list sorted by uncertainty is read again, at
        most every RESORT_MS, keeping the document on screen selected."""
        if self.order() == "uncertain" and not self._resort_timer.isActive():
            self._resort_timer.start()

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

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The status and label filters side by side when both show their longest entry whole, else one above
        the other (a narrow panel, a large font)."""
        fm = self.fontMetrics()
        need = 0
        for combo in (self.status_filter, self.label_filter):
            longest = max(fm.horizontalAdvance(combo.itemText(i)) for i in range(combo.count()))
            need += longest + combo.iconSize().width() + COMBO_CHROME
        margins = self.contentsMargins() + self.column.contentsMargins()
        room = event.size().width() - margins.left() - margins.right() - self.filter_row.spacing()
        wide = room >= need
        self.filter_row.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)
        super().resizeEvent(event)

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
