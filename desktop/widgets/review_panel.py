"""The review panel: who accepted the document on screen, what they all agree on, and each difference with its
alternatives and who chose each. Double-click (or Enter on) an alternative to put it into the gold annotation;
Alt+1..9 does the same for the difference at the selected entity."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from models.review import Choice, Proposal

from ..document_state import DocumentState, ItemKey

PREVIEW = 32
ROLE = Qt.ItemDataRole.UserRole


class _Tree(QTreeWidget):
    """The differences; Enter on an alternative picks it (itemActivated), as a double-click does."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        current = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and current is not None:
            self.itemActivated.emit(current, 0)
            return
        super().keyPressEvent(event)


class ReviewPanel(QWidget):
    chosen = Signal(object)  # a Choice to put into the gold annotation
    item_clicked = Signal(object)  # the key of an item on screen to select

    def __init__(self, colors: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewPanel")
        self.colors = colors
        self.proposal: Proposal | None = None
        self.state: DocumentState | None = None
        self.title = QLabel(self)
        self.title.setObjectName("panelTitle")
        self.title.setWordWrap(True)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setObjectName("reviewSummary")
        self.tree = _Tree(self)
        self.tree.setObjectName("reviewTree")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["Alt+", "Label", "Text", "By"])
        self.tree.headerItem().setToolTip(0, "Alt and this number put the alternative into the gold annotation")
        self.tree.headerItem().setToolTip(3, "the annotators who chose exactly this")
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(10)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(False)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setMinimumWidth(160)  # narrow windows: the text column gives way, the names stay
        header = self.tree.header()
        header.setMinimumSectionSize(24)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._clicked)
        self._bold = QFont()
        self._bold.setBold(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 8, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        self.set_document(None, None)

    # ------------------------------------------------------------------ contents
    def set_document(self, proposal: Proposal | None, state: DocumentState | None) -> None:
        self.proposal, self.state = proposal, state
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the rows from the proposal and what the gold annotation holds now."""
        self.tree.clear()
        p = self.proposal
        if self.state is None:
            self.title.setText("Review")
            self.summary.setText("No document.")
            return
        if p is None:
            self.title.setText("Nothing to compare")
            self.summary.setText(
                "Fewer than two annotators accepted this document. Annotate it as usual, or go to the next "
                "document to review (n)."
            )
            return
        self.title.setText(f"Accepted by {', '.join(p.annotators)}")
        groups = p.groups()
        settled = sum(1 for g in groups if self._in_gold(g))
        status = "" if self.state.status == "pending" else f" Gold: {self.state.status}."
        self.summary.setText(
            f"{len(p.agreed)} agreed: accepted with the document (A). "
            f"{len(groups)} difference{'s' if len(groups) != 1 else ''}, {settled} settled.{status}"
        )
        for n, group in enumerate(groups, start=1):
            first = min(c.start for c in group)
            last = max(c.end for c in group)
            head = QTreeWidgetItem(self.tree, [f"Difference {n}: “{_preview(self.state.text, first, last)}”"])
            head.setFirstColumnSpanned(True)
            head.setFont(0, self._bold)
            head.setData(0, ROLE, ("group", first, last))
            head.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            for i, choice in enumerate(group, start=1):
                row = QTreeWidgetItem(
                    head,
                    [
                        str(i) if i <= 9 else "",
                        choice.label,
                        _preview(self.state.text, choice.start, choice.end),
                        ", ".join(choice.annotators),
                    ],
                )
                row.setData(0, ROLE, choice)
                row.setForeground(1, QBrush(QColor(self.colors.get(choice.label, "#777777"))))
                row.setFont(1, self._bold)
                if self._gold_has(choice):
                    row.setText(0, f"✓{i}" if i <= 9 else "✓")
                    row.setToolTip(0, "in the gold annotation")
                    for col in range(4):
                        row.setFont(col, self._bold)
                row.setToolTip(2, f"{choice.start}-{choice.end}: double-click or Enter to put it into the gold")
            head.setExpanded(True)

    def _gold_has(self, choice: Choice) -> bool:
        span = self.state.span_at(choice.start, choice.end) if self.state else None
        return span is not None and span.label == choice.label

    def _in_gold(self, group: list[Choice]) -> bool:
        """A difference is settled once the gold holds one of its alternatives, or a span of the reviewer's
        own there."""
        if self.state is None:
            return False
        first, last = min(c.start for c in group), max(c.end for c in group)
        return bool(self.state.overlapping_spans(first, last))

    def select_key(self, key: ItemKey | None) -> None:
        """Highlight the difference at the selected entity."""
        if key is None or self.proposal is None:
            self.tree.clearSelection()
            return
        start, end = key[1], key[2]
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            if head is None:
                continue
            _kind, first, last = head.data(0, ROLE)
            if first < end and last > start:
                self.tree.setCurrentItem(head)
                return
        self.tree.clearSelection()

    # ------------------------------------------------------------------ input
    def _activated(self, row: QTreeWidgetItem, _column: int) -> None:
        choice = row.data(0, ROLE)
        if isinstance(choice, Choice):
            self.chosen.emit(choice)

    def _clicked(self, row: QTreeWidgetItem, _column: int) -> None:
        data = row.data(0, ROLE)
        if self.state is None or data is None:
            return
        start, end = (data.start, data.end) if isinstance(data, Choice) else (data[1], data[2])
        shown = self.state.overlapping_spans(start, end) or [
            p for p in self.state.pending.values() if p.start < end and p.end > start
        ]
        if shown:
            self.item_clicked.emit(shown[0].key)


def _preview(text: str, start: int, end: int) -> str:
    piece = " ".join(text[start:end].split())
    return piece if len(piece) <= PREVIEW else piece[: PREVIEW - 1] + "…"
