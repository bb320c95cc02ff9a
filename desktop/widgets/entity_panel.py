"""The entity panel: the spans and pending suggestions of the document on screen, in reading order, with label,
text and origin. Clicking one selects it (the text view scrolls to it)."""

from __future__ import annotations

from bisect import bisect_left
from operator import itemgetter

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from ..document_state import Delta, DocumentState, Item, ItemKey

PREVIEW = 40
_pending = itemgetter(5)


def _swatch(color: str, *, hollow: bool) -> QIcon:
    pix = QPixmap(14, 14)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = QColor(color)
    if hollow:
        pen = p.pen()
        pen.setColor(c)
        pen.setWidthF(1.6)
        p.setPen(pen)
        p.drawRoundedRect(2, 2, 10, 10, 3, 3)
    else:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(c)
        p.drawRoundedRect(1, 1, 12, 12, 3, 3)
    p.end()
    return QIcon(pix)


class EntityModel(QAbstractTableModel):
    COLUMNS = ("Label", "Text", "From")

    def __init__(self, colors: dict[str, str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.items: list[Item] = []
        self.pending = 0
        self.set_colors(colors)
        self._italic = QFont()
        self._italic.setItalic(True)

    def set_colors(self, colors: dict[str, str]) -> None:
        self._icons = {
            (name, hollow): _swatch(c, hollow=hollow) for name, c in colors.items() for hollow in (False, True)
        }

    def set_state(self, state: DocumentState | None) -> None:
        self.beginResetModel()
        self.text = state.text if state else ""
        self.items = state.items() if state else []
        self.pending = len(state.pending) if state else 0
        self.endResetModel()

    def apply(self, delta: Delta) -> None:
        self.pending += sum(map(_pending, delta.added)) - sum(map(_pending, delta.removed))
        if delta.items is not None:  # a large change: the state's items, in reading order already
            self.beginResetModel()
            self.items = delta.items
            self.endResetModel()
            return
        added = list(delta.added)
        for item in delta.removed:
            k = bisect_left(self.items, item)
            if k < len(self.items) and self.items[k] == item:
                twin = next((a for a in added if (a.start, a.end) == (item.start, item.end)), None)
                if twin is not None:  # relabelled or accepted in place: one row changes (a removal repaints all)
                    self.items[k] = twin
                    added.remove(twin)
                    self.dataChanged.emit(self.index(k, 0), self.index(k, len(self.COLUMNS) - 1))
                    continue
                self.beginRemoveRows(QModelIndex(), k, k)
                del self.items[k]
                self.endRemoveRows()
        for item in added:
            k = bisect_left(self.items, item)
            self.beginInsertRows(QModelIndex(), k, k)
            self.items.insert(k, item)
            self.endInsertRows()

    def row_of(self, key: ItemKey) -> int | None:
        k = bisect_left(self.items, (key[1], key[2]), key=lambda i: (i.start, i.end))
        while k < len(self.items) and (self.items[k].start, self.items[k].end) == (key[1], key[2]):
            if self.items[k].key == key:
                return k
            k += 1
        return None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return item.label
            if col == 1:
                words = " ".join(self.text[item.start : item.end].split())
                return words if len(words) <= PREVIEW else words[: PREVIEW - 1] + "…"
            if item.pending:  # the model's opinion: its confidence, or where it came from
                return f"{item.score:.2f} ?" if isinstance(item.score, (int, float)) else f"{item.origin} ?"
            return item.origin
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return self._icons.get((item.label, item.pending))
        if role == Qt.ItemDataRole.FontRole and item.pending:
            return self._italic
        if role == Qt.ItemDataRole.ToolTipRole:
            what = f"suggested by the {item.origin}, not accepted yet" if item.pending else f"origin: {item.origin}"
            return f"{item.label}: {self.text[item.start : item.end]} ({item.start}-{item.end}), {what}"
        return None


class EntityPanel(QWidget):
    item_clicked = Signal(object)  # key

    def __init__(self, colors: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("entityPanel")
        self.model = EntityModel(colors, self)
        self.table = QTableView(self)
        self.table.setObjectName("entityTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setIconSize(QSize(12, 12))
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        # fixed widths: ResizeToContents would read every row (thousands in a long article)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 92)
        self.table.setColumnWidth(2, 86)  # "pattern ?" fits
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setMinimumWidth(200)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.title = QLabel("Entities", self)
        self.title.setObjectName("panelTitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 10, 10, 6)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        self.table.clicked.connect(lambda idx: self.item_clicked.emit(self.model.items[idx.row()].key))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        narrow = event.size().width() < 300  # a narrow panel: the entity's text gets the room of "From"
        self.table.setColumnWidth(0, 84 if narrow else 92)
        self.table.setColumnHidden(2, narrow)

    def set_state(self, state: DocumentState | None) -> None:
        self.model.set_state(state)
        self._title()

    def set_colors(self, colors: dict[str, str]) -> None:
        self.model.set_colors(colors)

    def apply(self, delta: Delta) -> None:
        self.model.apply(delta)
        self._title()

    def select(self, key: ItemKey | None) -> None:
        row = self.model.row_of(key) if key else None
        if row is None:
            self.table.clearSelection()
            return
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))

    def _title(self) -> None:
        pending = self.model.pending
        done = len(self.model.items) - pending
        extra = f" · {pending} suggested" if pending else ""
        self.title.setText(f"Entities  {done}{extra}")
