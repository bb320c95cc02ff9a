"""The text view: the article, wrapped, with each entity highlighted in its label's colour.

A read-only `QPlainTextEdit`. Highlights are character formats set with `QTextCursor` on the spans' ranges only
(ExtraSelections and QTextEdit measured far slower on long texts), so a change repaints the spans it
touched and never rebuilds the document. Stored spans are filled; pending suggestions are outlined with a dashed
underline. A small label tag is painted after each entity, in room made by letter-spacing its last character.

Offsets: everything outside this file speaks Python code points; Qt speaks UTF-16 units and collapses "\\r\\n"
into one paragraph break. `OffsetMap.to_qt` / `OffsetMap.from_qt` are the one pair of conversions.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTextCharFormat,
    QTextCursor,
    QTextOption,
)
from PySide6.QtWidgets import QPlainTextEdit, QToolTip, QWidget

from ..document_state import Delta, Item, sort_key

_SHIFTS = re.compile("[\U00010000-\U0010ffff]|\r\n")
MAX_TEXT_WIDTH = 760  # px: a readable line length (~85 characters)
TAG_FONT_PT = 7.0
FIRST_CHUNK = 600  # entities formatted before the first paint (more than a screenful)
CHUNK = 2500  # entities formatted per event-loop turn after that


class OffsetMap:
    """Code point <-> Qt position for one text: +1 after each character outside the BMP (a surrogate pair),
    -1 after each "\\r\\n" (Qt stores one paragraph separator for it), and -1 after a leading U+FEFF (Qt drops
    a byte-order mark at the start of a text)."""

    def __init__(self, text: str) -> None:
        self.length = len(text)
        self._cp: list[int] = []  # code point from which the shift applies
        self._qt: list[int] = []  # the same place in Qt positions
        self._shift: list[int] = []  # cumulative shift from there on
        shift = 0
        if text.startswith("\ufeff"):
            shift = -1
            self._cp.append(1)
            self._qt.append(0)
            self._shift.append(shift)
        for m in _SHIFTS.finditer(text):
            if m.group() == "\r\n":
                shift -= 1
                at = m.start() + 2
            else:
                shift += 1
                at = m.start() + 1
            self._cp.append(at)
            self._qt.append(at + shift)
            self._shift.append(shift)

    def to_qt(self, offset: int) -> int:
        """Qt position of a code-point offset."""
        k = bisect_right(self._cp, offset)
        return offset + (self._shift[k - 1] if k else 0)

    def from_qt(self, position: int) -> int:
        """Code-point offset of a Qt position (a position inside a surrogate pair gives the next character)."""
        k = bisect_right(self._qt, position)
        return max(0, min(self.length, position - (self._shift[k - 1] if k else 0)))


class Palette:
    """Colours of labels and highlights for one theme."""

    def __init__(self, colors: dict[str, str], *, dark: bool) -> None:
        self.dark = dark
        self.colors = {name: QColor(c) for name, c in colors.items()}

    def color(self, label: str) -> QColor:
        return QColor(self.colors.get(label, "#888888"))

    def fill(self, label: str, *, strong: bool = False) -> QColor:
        c = self.color(label)
        c.setAlphaF((0.62 if strong else 0.44) if self.dark else (0.50 if strong else 0.30))
        return c

    def tint(self, label: str, *, strong: bool = False) -> QColor:
        c = self.color(label)
        c.setAlphaF((0.22 if strong else 0.10) if self.dark else (0.20 if strong else 0.07))
        return c

    def tag_text(self, label: str) -> QColor:
        c = self.color(label)
        return QColor("#ffffff") if c.lightnessF() < 0.62 else QColor("#1d1f23")


class TextView(QPlainTextEdit):
    """Signals speak code points: `span_drawn(start, end, exact)` after a drag, `item_clicked(key or None)`,
    `token_double_clicked(offset)`."""

    span_drawn = Signal(int, int, bool)
    item_clicked = Signal(object)
    token_double_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("textView")
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setUndoRedoEnabled(False)
        self.setMouseTracking(True)
        self.setCenterOnScroll(False)
        font = QFont()
        font.setFamilies(["Inter", "Segoe UI", "Noto Sans", "Helvetica Neue", "DejaVu Sans"])
        font.setPointSizeF(12.5)
        self.setFont(font)
        self._tag_font = QFont(font)
        self._tag_font.setPointSizeF(TAG_FONT_PT)
        self._tag_font.setBold(True)
        self._tag_font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 0.4)
        self._tag_metrics = QFontMetricsF(self._tag_font)
        self.palette_ = Palette({}, dark=False)
        self.map = OffsetMap("")
        self._items: dict[tuple, Item] = {}
        self._sorted: list[Item] = []
        self._starts: list[int] = []
        self._longest = 0
        self.selected: tuple | None = None
        self._text = ""
        self._tag_gap: dict[str, float] = {}
        self._formats: dict[tuple, tuple[QTextCharFormat, QTextCharFormat]] = {}
        self._queue: list[Item] = []
        self._format_timer = QTimer(self, interval=0, timeout=self._format_some)

    # ------------------------------------------------------------------ content
    def set_palette(self, palette: Palette) -> None:
        self.palette_ = palette
        self._tag_gap = {}
        self._formats = {}
        if self._items:
            self._queue_formats(self._sorted)

    def set_document(self, text: str, items: list[Item]) -> None:
        """Show a new text with its highlights (one layout of the text, one format per item)."""
        self._text = text
        self.map = OffsetMap(text)
        self.selected = None
        self._queue = []
        self._items = {item.key: item for item in items}
        self._sorted = sorted(items, key=sort_key)
        self._starts = [i.start for i in self._sorted]
        self._longest = max((i.end - i.start for i in self._sorted), default=0)
        self.setPlainText(text)
        self.moveCursor(QTextCursor.MoveOperation.Start)
        self._queue_formats(self._sorted)

    def _queue_formats(self, items: list[Item]) -> None:
        """Format the first screenful now and the rest in chunks between events: a 1 MB article with 16,000
        entities is readable at once and stays responsive while the rest is coloured."""
        first, rest = items[:FIRST_CHUNK], items[FIRST_CHUNK:]
        self._paint_items(first)
        self._queue = rest[::-1]  # popped from the end, in reading order
        if self._queue:
            self._format_timer.start()

    def _format_some(self) -> None:
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        batch = [self._queue.pop() for _ in range(min(CHUNK, len(self._queue)))]
        self._paint_items([i for i in batch if self._items.get(i.key) is i], cursor)
        cursor.endEditBlock()
        if not self._queue:
            self._format_timer.stop()

    def formatting_done(self) -> bool:
        return not self._queue

    def clear_document(self) -> None:
        self.set_document("", [])

    def apply(self, delta: Delta) -> None:
        """Repaint only the items that changed."""
        if not delta:
            return
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        for item in delta.removed:
            if self._items.pop(item.key, None) is not None:
                self._format_range(cursor, item.start, item.end, QTextCharFormat())
        for item in delta.added:
            self._items[item.key] = item
        self._paint_items(delta.added, cursor)
        cursor.endEditBlock()
        if self.selected is not None and self.selected not in self._items:
            self.selected = None
        self._reindex(delta)
        self._update_items([*delta.removed, *delta.added])

    def select_item(self, key: tuple | None, *, scroll: bool = True) -> None:
        old = self._items.get(self.selected) if self.selected else None
        self.selected = key if key in self._items else None
        changed = [i for i in (old, self._items.get(self.selected) if self.selected else None) if i is not None]
        self._paint_items(changed)
        item = self._items.get(self.selected) if self.selected else None
        if item is not None and scroll:
            cursor = self.textCursor()
            cursor.setPosition(self.map.to_qt(item.start))
            self.setTextCursor(cursor)
            self.ensureCursorVisible()
        self._update_items(changed)

    def _update_items(self, items: list[Item]) -> None:
        """Schedule a repaint of the paragraphs holding these items only (not the whole view)."""
        doc, offset = self.document(), self.contentOffset()
        visible = self.viewport().rect()
        for item in items:
            first = doc.findBlock(self.map.to_qt(item.start))
            last = doc.findBlock(self.map.to_qt(item.end))
            rect = self.blockBoundingGeometry(first).translated(offset)
            if last.isValid() and last != first:
                rect = rect.united(self.blockBoundingGeometry(last).translated(offset))
            area = rect.toAlignedRect().adjusted(-2, -2, 2, 2)
            if area.intersects(visible):
                self.viewport().update(area.intersected(visible))

    def items_in_view(self) -> list[Item]:
        return list(self._sorted)

    # ------------------------------------------------------------------ formats
    def _paint_items(self, items: list[Item], cursor: QTextCursor | None = None) -> None:
        own = cursor is None
        if own:
            cursor = QTextCursor(self.document())
            cursor.beginEditBlock()
        selected = self.selected
        formats = self._formats
        to_qt = self.map.to_qt
        for item in items:
            look = (item.label, item.pending, item.key == selected)
            pair = formats.get(look) or self._make_formats(*look)
            a, b, c = to_qt(item.start), to_qt(item.end - 1), to_qt(item.end)
            if b > a:
                cursor.setPosition(a)
                cursor.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
                cursor.setCharFormat(pair[0])
            cursor.setPosition(b)
            cursor.setPosition(c, QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(pair[1])
        if own:
            cursor.endEditBlock()

    def _format_range(self, cursor: QTextCursor, start: int, end: int, fmt: QTextCharFormat) -> None:
        if end <= start:
            return
        cursor.setPosition(self.map.to_qt(start))
        cursor.setPosition(self.map.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        cursor.setCharFormat(fmt)

    def _make_formats(self, label: str, pending: bool, strong: bool) -> tuple[QTextCharFormat, QTextCharFormat]:
        """The body format of an entity and the one of its last character (letter-spaced: room for the tag)."""
        fmt = QTextCharFormat()
        if pending:  # outlined (painted in paintEvent) over a faint tint
            fmt.setBackground(self.palette_.tint(label, strong=strong))
        else:
            fmt.setBackground(self.palette_.fill(label, strong=strong))
        last = QTextCharFormat(fmt)
        last.setFontLetterSpacingType(QFont.SpacingType.AbsoluteSpacing)
        last.setFontLetterSpacing(self._gap(label))
        self._formats[(label, pending, strong)] = (fmt, last)
        return fmt, last

    def _gap(self, label: str) -> float:
        gap = self._tag_gap.get(label)
        if gap is None:
            gap = self._tag_gap[label] = round(self._tag_metrics.horizontalAdvance(label) + 12)
        return gap

    def _reindex(self, delta: Delta) -> None:
        if len(delta.removed) + len(delta.added) > 64:
            self._sorted = sorted(self._items.values(), key=sort_key)
            self._starts = [i.start for i in self._sorted]
        else:  # a keystroke's change: bisect, do not re-sort thousands of items
            for item in delta.removed:
                k = bisect_left(self._sorted, item)
                if k < len(self._sorted) and self._sorted[k] == item:
                    del self._sorted[k], self._starts[k]
            for item in delta.added:
                k = bisect_left(self._sorted, item)
                self._sorted.insert(k, item)
                self._starts.insert(k, item.start)
        self._longest = max(self._longest, max((i.end - i.start for i in delta.added), default=0))

    # ------------------------------------------------------------------ hit testing
    def offset_at(self, pos: QPoint) -> int:
        """Code-point offset of the character under a viewport point."""
        cursor = self.cursorForPosition(pos)
        qpos = cursor.position()
        if pos.x() < self.cursorRect(cursor).x() and qpos > 0:
            qpos -= 1
        return self.map.from_qt(qpos)

    def item_at(self, offset: int) -> Item | None:
        i = bisect_right(self._starts, offset)
        j = bisect_right(self._starts, offset - self._longest - 1)
        for item in reversed(self._sorted[j:i]):
            if item.start <= offset < item.end:
                return item
        return None

    # ------------------------------------------------------------------ mouse
    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        cursor = self.textCursor()
        if cursor.hasSelection():
            start = self.map.from_qt(cursor.selectionStart())
            end = self.map.from_qt(cursor.selectionEnd())
            cursor.clearSelection()
            self.setTextCursor(cursor)
            exact = bool(event.modifiers() & (Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ControlModifier))
            if end > start:
                self.span_drawn.emit(start, end, exact)
            return
        item = self.item_at(self.offset_at(event.position().toPoint()))
        self.item_clicked.emit(item.key if item else None)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.token_double_clicked.emit(self.offset_at(event.position().toPoint()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if not event.buttons():
            item = self.item_at(self.offset_at(event.position().toPoint()))
            shape = Qt.CursorShape.PointingHandCursor if item else Qt.CursorShape.IBeamCursor
            if self.viewport().cursor().shape() != shape:
                self.viewport().setCursor(shape)

    # ------------------------------------------------------------------ painting
    def resizeEvent(self, event) -> None:
        side = max(24, int((self.width() - MAX_TEXT_WIDTH) / 2))
        if self.viewportMargins().left() != side:
            self.setViewportMargins(side, 12, side, 12)
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._sorted:
            return
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self._tag_font)
        exposed = QRectF(event.rect())
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        while block.isValid():
            geo = self.blockBoundingGeometry(block).translated(offset)
            if geo.top() > exposed.bottom():
                break
            if block.isVisible() and geo.bottom() >= exposed.top():
                self._paint_block(painter, block, geo.topLeft())
            block = block.next()
        painter.end()

    def _paint_block(self, painter: QPainter, block, origin: QPointF) -> None:
        qstart = block.position()
        qend = qstart + block.length() - 1
        start, end = self.map.from_qt(qstart), self.map.from_qt(qend)
        i = bisect_right(self._starts, start - self._longest - 1)
        j = bisect_right(self._starts, end)
        layout = block.layout()
        for item in self._sorted[i:j]:
            if item.end <= start or item.start >= end:
                continue
            a = max(self.map.to_qt(item.start), qstart) - qstart
            b = min(self.map.to_qt(item.end), qend) - qstart
            self._paint_item(painter, item, layout, a, b, origin, last=item.end <= end)

    def _paint_item(
        self,
        painter: QPainter,
        item: Item,
        layout,
        a: int,
        b: int,
        origin: QPointF,
        *,
        last: bool,
    ) -> None:
        color = self.palette_.color(item.label)
        selected = item.key == self.selected
        rects = []
        for n in range(layout.lineCount()):
            line = layout.lineAt(n)
            la, lb = line.textStart(), line.textStart() + line.textLength()
            s, e = max(a, la), min(b, lb)
            if s >= e:
                continue
            x1, x2 = line.cursorToX(s)[0], line.cursorToX(e)[0]
            rects.append(QRectF(origin.x() + min(x1, x2), origin.y() + line.y() + 1, abs(x2 - x1), line.height() - 2))
        if not rects:
            return
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if item.pending:
            pen = QPen(color, 1.3)
            pen.setStyle(Qt.PenStyle.SolidLine if selected else Qt.PenStyle.DashLine)
            painter.setPen(pen)
            for r in rects:
                painter.drawRoundedRect(r.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
        if selected:  # a ring in the text colour around the selected entity
            painter.setPen(QPen(self.palette().text().color(), 2.0))
            for r in rects:
                painter.drawRoundedRect(r.adjusted(-2, -1, 2, 1), 4, 4)
        if last:
            self._paint_tag(painter, item, rects[-1], color)

    def _paint_tag(self, painter: QPainter, item: Item, rect: QRectF, color: QColor) -> None:
        gap = self._gap(item.label)
        h = min(rect.height() - 4, self._tag_metrics.height() + 3)
        tag = QRectF(rect.right() - gap + 3, rect.center().y() - h / 2, gap - 7, h)
        path = QPainterPath()
        path.addRoundedRect(tag, 3, 3)
        if item.pending:
            painter.setPen(QPen(color, 1.0))
            painter.setBrush(self.palette().base())
            painter.drawPath(path)
            painter.setPen(color)
        else:
            painter.fillPath(path, color)
            painter.setPen(self.palette_.tag_text(item.label))
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, item.label)

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip:
            item = self.item_at(self.offset_at(self.viewport().mapFromGlobal(event.globalPos())))
            if item is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), _tooltip(item), self)
            return True
        return super().event(event)


def _tooltip(item: Item) -> str:
    if item.pending:
        score = f", score {item.score:.2f}" if isinstance(item.score, (int, float)) else ""
        return f"{item.label}: suggested by the {item.origin}{score} (Enter accepts, Delete rejects)"
    return f"{item.label}: {item.origin} (Delete removes, 1-9 relabel)"
