"""The text view: the article, wrapped, with each entity highlighted in its label's colour.

A `QAbstractScrollArea` that lays out and paints only what is on screen, so a key press costs the same in a 3 KB
note and in a 5 MB text without a line break. The text is cut into display blocks (paragraphs; long paragraphs
cut at sentence ends), each laid out with `QTextLayout` when it is first shown (`text_layout.py` says how and
why: a change to one entity lays out one block). Entities are not character formats: the view paints their
fills, dashed outlines, rings and label tags itself over the laid-out lines (`text_paint.py`); only the room for
each tag is in the layout, as letter spacing on the entity's last character. Loading a document builds a new
layout, so nothing of the previous document's look can survive into the next.

Measured (python -m benchmarks view, one run with the `QPlainTextEdit` view it replaced, which lays out and
re-formats a paragraph as a whole; 2 shared cores under load, so ratios count): at 100 KB in one paragraph the
old view took 9.6 s to open and 7.6-8.7 s for each relabel, accept, delete, Tab or page; this one 90 ms to open
and 11-56 ms a key, the durable commit included. With paragraphs both were close (1 MB: 47-60 ms a key either
way), this one still ahead on Tab (15 vs 23 ms) and paging (12 vs 37 ms).

Scrolling and positions are `ScrolledText`'s (text_scroll.py); the window binds the scrolling keys (PgUp/PgDn,
Ctrl+Home/End, Up/Down) to its `scroll_pages`, `scroll_to_start`, ... while this view has the focus.

Offsets: everything outside this file speaks Python code points; Qt speaks UTF-16 units.
`OffsetMap.to_qt` / `OffsetMap.from_qt` (text_layout.py) are the one pair of conversions.
"""

from __future__ import annotations

from bisect import bisect_left
from operator import itemgetter, sub

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QTextCharFormat,
)
from PySide6.QtWidgets import QToolTip, QWidget

from ..document_state import Delta, Item, ItemKey, in_reading_order
from .text_layout import OffsetMap, tag_format
from .text_paint import BlockPainter, Palette, Tags
from .text_scroll import ScrolledText

__all__ = ["OffsetMap", "Palette", "TextView"]

_start, _end = itemgetter(0), itemgetter(1)
_label, _tag = itemgetter(2), itemgetter(1, 2)  # an entity's tag room depends on where it ends and its label


class TextView(ScrolledText):
    """Signals speak code points: `span_drawn(start, end, exact)` after a drag, `item_clicked(key or None)`,
    `token_double_clicked(offset)`."""

    span_drawn = Signal(int, int, bool)
    item_clicked = Signal(object)
    token_double_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        self.palette_ = Palette({}, dark=False)  # before the base class lays out (the tag room needs them)
        self._sorted: list[Item] = []  # the entities in reading order (found by bisection: no dict by key)
        self._starts: list[int] = []
        self._longest = 0
        super().__init__(parent)
        self.setObjectName("textView")
        self.viewport().setMouseTracking(True)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.tags = Tags(self.font())
        self._tag_formats: dict[str, QTextCharFormat] = {}
        self.selected: ItemKey | None = None
        self._matches: list[tuple[int, int]] = []
        self._match_starts: list[int] = []
        self._current = -1
        self._press: int | None = None
        self._drag: tuple[int, int] | None = None
        self._mouse_y = 0
        self._autoscroll = QTimer(self)
        self._autoscroll.setInterval(30)
        self._autoscroll.timeout.connect(self._drag_scroll)

    # ------------------------------------------------------------------ content
    def set_palette(self, palette: Palette) -> None:
        self.palette_ = palette
        self.viewport().update()

    def set_document(self, text: str, items: list[Item]) -> None:
        """Show a new text with its highlights: a new layout (nothing of the previous document's look stays)."""
        self.selected = None
        self._press = self._drag = None
        self._sorted, self._starts = in_reading_order(items)
        self._longest = max(map(sub, map(_end, self._sorted), self._starts), default=0)
        self._matches, self._match_starts, self._current = [], [], -1
        self._set_text(text)

    def clear_document(self) -> None:
        self.set_document("", [])

    def apply(self, delta: Delta) -> None:
        """Show what changed: the blocks where an entity's tag room changed (an entity ending there or its label:
        accepting a suggestion as it is changes only how it is painted) are laid out again, those on screen at
        once; what is on screen is repainted."""
        if not delta:
            return
        self._reindex(delta)
        if self.selected is not None and self._find(self.selected) is None:
            self.selected = None
        lay = self._layout
        lines = {b: lay.lines[b] for b in {lay.block_of(end - 1) for end, _label in _tags_changed(delta)}}
        if lines:
            self._relaid(set(lines))
        changed = [*delta.removed, *delta.added]
        if len(changed) > 16 or any(lay.lines[b] != n for b, n in lines.items()):
            self.viewport().update()  # lines moved
            return
        for item in changed:  # its block was laid out again: repaint from the entity's line to the block's end
            b = lay.block_of(item.start)
            self._update_band(item.start, lay.ends[lay.block_of(item.end - 1)])
            if b != lay.block_of(item.end - 1):
                self._update_band(lay.starts[b], lay.ends[b])

    def select_item(self, key: ItemKey | None, *, scroll: bool = True) -> None:
        old = self._find(self.selected)
        item = self._find(key)
        self.selected = key if item is not None else None
        value = self.verticalScrollBar().value()
        if item is not None and scroll:
            self.ensure_visible(item.start, item.end)
        if self.verticalScrollBar().value() != value:
            return  # scrolled: all repainted
        for it in (old, item):
            if it is not None:
                self._update_band(it.start, it.end)

    def _update_band(self, start: int, end: int) -> None:
        """Repaint the lines holding start-end (those on screen: blocks laid out for the screen are cached)."""
        lay, value, h = self._layout, self.verticalScrollBar().value(), self._layout.line_height
        a, z = lay.block_of(start), lay.block_of(max(start, end - 1))
        if not (lay.is_cached(a) and lay.is_cached(z)):
            return
        top = self._line_y(start) - value
        bottom = self._line_y(max(start, end - 1)) - value + h
        self.viewport().update(QRect(0, top - 2, self.viewport().width(), bottom - top + 4))

    def items_in_view(self) -> list[Item]:
        return list(self._sorted)

    def formatting_done(self) -> bool:
        """Every block has been laid out with its entities (the scroll bar is exact)."""
        return self._layout.done()

    def _find(self, key: ItemKey | None) -> Item | None:
        """The item on screen with this key (a bisection to its start)."""
        if key is None:
            return None
        k = bisect_left(self._starts, key[1])
        while k < len(self._sorted) and self._starts[k] == key[1]:
            item = self._sorted[k]
            if item.end == key[2] and item.key == key:
                return item
            k += 1
        return None

    def _reindex(self, delta: Delta) -> None:
        if delta.items is not None:  # a large change: the state's items, in reading order already
            self._sorted, self._starts = in_reading_order(delta.items)
        else:  # a keystroke's change: bisect, do not re-sort thousands of items
            for item in delta.removed:
                k = bisect_left(self._sorted, item)
                if k < len(self._sorted) and self._sorted[k] == item:
                    del self._sorted[k], self._starts[k]
            for item in delta.added:
                k = bisect_left(self._sorted, item)
                self._sorted.insert(k, item)
                self._starts.insert(k, item.start)
        added = delta.added
        self._longest = max(self._longest, max(map(sub, map(_end, added), map(_start, added)), default=0))

    def _near(self, start: int, end: int) -> list[Item]:
        """Items overlapping start-end, in reading order (bisections)."""
        i = bisect_left(self._starts, start - self._longest)
        j = bisect_left(self._starts, end)
        return [it for it in self._sorted[i:j] if it.end > start]

    def item_at(self, offset: int) -> Item | None:
        for item in self._near(offset, offset + 1):
            return item
        return None

    # ------------------------------------------------------------------ search matches
    def set_matches(self, matches: list[tuple[int, int]]) -> None:
        """Highlight these (start, end) ranges, sorted: the search's matches in this document."""
        self._matches = matches
        self._match_starts = [m[0] for m in matches]
        self._current = -1
        self.viewport().update()

    def step_match(self, step: int) -> tuple[int, int] | None:
        """Make the next (step 1) or previous (-1) match current and scroll to it: (its number from 1, count)."""
        n = len(self._matches)
        if not n:
            return None
        if self._current < 0:
            top = self.first_visible_offset()
            k = bisect_left(self._match_starts, top)
            self._current = k % n if step > 0 else (k - 1) % n
        else:
            self._current = (self._current + step) % n
        self.ensure_visible(*self._matches[self._current])
        self.viewport().update()
        return self._current + 1, n

    # ------------------------------------------------------------------ tag room
    def _formats_for(self, start: int, end: int) -> list[tuple[int, QTextCharFormat]]:
        """Letter spacing on the last character of each entity ending in start-end: room for its tag."""
        out = []
        formats = self._tag_formats
        for item in self._near(start, end):
            if start < item.end <= end:
                fmt = formats.get(item.label)
                if fmt is None:
                    fmt = formats[item.label] = tag_format(self.tags.gap(item.label))
                out.append((item.end - 1, fmt))
        return out

    def _restyled(self) -> None:
        self.tags = Tags(self.font())
        self._tag_formats = {}

    # ------------------------------------------------------------------ mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = self.boundary_at(event.position().toPoint())
            self._drag = None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self._mouse_y = pos.y()
            self._extend_drag(pos)
            outside = pos.y() < 0 or pos.y() > self.viewport().height()
            if outside and not self._autoscroll.isActive():
                self._autoscroll.start()
            elif not outside:
                self._autoscroll.stop()
            return
        if not event.buttons():
            item = self.item_at_point(pos)
            shape = Qt.CursorShape.PointingHandCursor if item else Qt.CursorShape.IBeamCursor
            if self.viewport().cursor().shape() != shape:
                self.viewport().setCursor(shape)

    def _extend_drag(self, pos: QPoint) -> None:
        if self._press is None:
            return
        to = self.boundary_at(pos)
        drag = (min(self._press, to), max(self._press, to)) if to != self._press else None
        if drag != self._drag:
            self._drag = drag
            self.viewport().update()

    def _drag_scroll(self) -> None:
        """While a drag is held above or below the text, scroll and extend it."""
        y = self._mouse_y
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + (y if y < 0 else y - self.viewport().height()))
        self._extend_drag(QPoint(self._side() + 1, max(0, min(y, self.viewport().height() - 1))))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self._autoscroll.stop()
        drag, self._press, self._drag = self._drag, None, None
        if drag is not None:
            self.viewport().update()
            exact = bool(event.modifiers() & (Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ControlModifier))
            self.span_drawn.emit(drag[0], drag[1], exact)
            return
        item = self.item_at_point(event.position().toPoint())
        self.item_clicked.emit(item.key if item else None)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.token_double_clicked.emit(self.offset_at(event.position().toPoint()))

    def item_at_point(self, point: QPoint) -> Item | None:
        """The entity drawn under a viewport point (none in the margins or past a line's end)."""
        offset = self.offset_at(point)
        rect = self.char_rect(offset)
        if not rect.adjusted(-2, 0, 2, 0).contains(point):
            return None
        return self.item_at(offset)

    def viewportEvent(self, event: QEvent) -> bool:
        if isinstance(event, QHelpEvent) and event.type() == QEvent.Type.ToolTip:
            item = self.item_at_point(event.pos())
            if item is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), _tooltip(item), self)
            return True
        return super().viewportEvent(event)

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        exposed = QRectF(event.rect())
        painter.fillRect(exposed, self.palette().base())
        lay = self._layout
        h = lay.line_height
        offset, delta = self._anchor
        b = lay.block_of(offset)
        y = -delta - self._line_of(b, offset) * h
        while y > exposed.top() and b > 0:  # the top margin, or lines above the anchor's
            b -= 1
            lay.layout(b)
            y -= lay.lines[b] * h
        blocks = BlockPainter(
            painter,
            lay,
            self.palette_,
            self.tags,
            self.palette(),
            items_near=self._near,
            selected=self.selected,
            drag=self._drag,
            matches=(self._matches, self._match_starts, self._current),
        )
        while b < len(lay) and y < exposed.bottom():
            blk = lay.layout(b)
            bottom = y + lay.lines[b] * h
            if bottom > exposed.top():
                blocks.paint(b, blk, QPointF(self._side(), y), exposed)
            y = bottom
            b += 1
        painter.end()


def _tags_changed(delta: Delta) -> set[tuple[int, str]]:
    """(end, label) of the tags a change adds or takes away. Accepting suggestions as they are lists the same
    ends and labels on both sides, in the same order: compared as lists first (no tuple made for each of 8,000)."""
    removed, added = delta.removed, delta.added
    if list(map(_end, removed)) == list(map(_end, added)) and list(map(_label, removed)) == list(map(_label, added)):
        return set()
    return set(map(_tag, removed)).symmetric_difference(map(_tag, added))


def _tooltip(item: Item) -> str:
    if item.pending:
        score = f", score {item.score:.2f}" if isinstance(item.score, (int, float)) else ""
        return f"{item.label}: suggested by the {item.origin}{score} (Enter accepts, Delete rejects)"
    return f"{item.label}: {item.origin} (Delete removes, 1-9 relabel)"
