"""The text view: the article, wrapped, with each entity highlighted in its label's colour.

A `QAbstractScrollArea` that lays out and paints only what is on screen, so a key press costs the same in a 3 KB
note and in a 5 MB text without a line break. The text is cut into display blocks (paragraphs; long paragraphs
cut at sentence ends), each laid out with `QTextLayout` when it is first shown (`text_layout.py` says how and
why: a change to one entity lays out one block). Entities are not character formats: the view paints their
fills, dashed outlines, rings and label tags itself over the laid-out lines (`text_paint.py`); only the room for
each tag is in the layout, as letter spacing on the entity's last character. Loading a document builds a new
layout, so nothing of the previous document's look can survive into the next.

Measured (python -m benchmarks view) against the `QPlainTextEdit` it replaced, which lays out and re-formats a
paragraph as a whole: at 100 KB in one paragraph a relabel took 1.9 s there and takes a few ms here; see the
benchmark for every size and shape.

Scrolling: the scroll bar counts pixels of lines of a fixed height; blocks not laid out yet have an estimated
height, made exact by a pass between events. What is on screen is held by an anchor (the first character of the
top line), so the text never moves when heights above it become exact. The window binds the scrolling keys
(PgUp/PgDn, Ctrl+Home/End, Up/Down) to `scroll_pages`, `scroll_to_start`, ... while this view has the focus.

Offsets: everything outside this file speaks Python code points; Qt speaks UTF-16 units.
`OffsetMap.to_qt` / `OffsetMap.from_qt` (text_layout.py) are the one pair of conversions.
"""

from __future__ import annotations

import time
from bisect import bisect_left

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
    QTextCharFormat,
    QTextLayout,
    QTextLine,
)
from PySide6.QtWidgets import QAbstractScrollArea, QToolTip, QWidget

from ..document_state import Delta, Item, sort_key
from .text_layout import OffsetMap, TextLayout, tag_format
from .text_paint import Palette, Tags, char_span, cursor_x, paint_fill, paint_marks, paint_match, range_rects

Key = tuple[object, ...]  # an item's key (Item.key)

__all__ = ["OffsetMap", "Palette", "TextView"]

MAX_TEXT_WIDTH = 760  # px: a readable line length (~85 characters)
TOP, BOTTOM = 12, 16  # px above the first line and below the last
LINE_GAP = 4  # px between lines beyond the font's own spacing: room for fills, rings and tags
PASS_SLICE = 0.004  # s of layout per event-loop turn while heights are made exact


class TextView(QAbstractScrollArea):
    """Signals speak code points: `span_drawn(start, end, exact)` after a drag, `item_clicked(key or None)`,
    `token_double_clicked(offset)`."""

    span_drawn = Signal(int, int, bool)
    item_clicked = Signal(object)
    token_double_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("textView")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setMouseTracking(True)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.viewport().setFocusProxy(self)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # paintEvent fills what it shows
        font = QFont()
        font.setFamilies(["Inter", "Segoe UI", "Noto Sans", "Helvetica Neue", "DejaVu Sans"])
        font.setPointSizeF(12.5)
        self.setFont(font)
        self.palette_ = Palette({}, dark=False)
        self.tags = Tags(self.font())
        self._tag_formats: dict[str, QTextCharFormat] = {}
        self._text = ""
        self._items: dict[Key, Item] = {}
        self._sorted: list[Item] = []
        self._starts: list[int] = []
        self._longest = 0
        self.selected: Key | None = None
        self._matches: list[tuple[int, int]] = []
        self._match_starts: list[int] = []
        self._current = -1
        self._press: int | None = None
        self._drag: tuple[int, int] | None = None
        self._mouse_y = 0
        self._layout = self._new_layout("")
        self.map = self._layout.map
        self._anchor = (0, -TOP)  # (first character of the top line, pixels of that line scrolled out)
        self._syncing = False
        self._pass = QTimer(self)
        self._pass.setInterval(0)
        self._pass.timeout.connect(self._lay_out_some)
        self._autoscroll = QTimer(self)
        self._autoscroll.setInterval(30)
        self._autoscroll.timeout.connect(self._drag_scroll)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)

    # ------------------------------------------------------------------ content
    def set_palette(self, palette: Palette) -> None:
        self.palette_ = palette
        self.viewport().update()

    def set_document(self, text: str, items: list[Item]) -> None:
        """Show a new text with its highlights: a new layout (nothing of the previous document's look stays)."""
        self._text = text
        self.selected = None
        self._press = self._drag = None
        self._items = {item.key: item for item in items}
        self._sorted = sorted(items, key=sort_key)
        self._starts = [i.start for i in self._sorted]
        self._longest = max((i.end - i.start for i in self._sorted), default=0)
        self._matches, self._match_starts, self._current = [], [], -1
        self._layout = self._new_layout(text)
        self.map = self._layout.map
        self._anchor = (self._layout.starts[0], -TOP)
        self._sync()
        self._pass.start()
        self.viewport().update()

    def clear_document(self) -> None:
        self.set_document("", [])

    def apply(self, delta: Delta) -> None:
        """Show what changed: the blocks holding the changed entities' ends are laid out again (their tag room)."""
        if not delta:
            return
        for item in delta.removed:
            self._items.pop(item.key, None)
        for item in delta.added:
            self._items[item.key] = item
        self._reindex(delta)
        if self.selected is not None and self.selected not in self._items:
            self.selected = None
        lay = self._layout
        changed = [*delta.removed, *delta.added]
        lines = {b: lay.lines[b] for b in {lay.block_of(i.end - 1) for i in changed}}
        for b in lines:
            lay.forget(b)
        self._sync()
        self._pass.start()
        if len(changed) > 16 or any(lay.lines[b] != n for b, n in lines.items()):
            self.viewport().update()  # lines moved
            return
        for item in changed:  # its block was laid out again: repaint from the entity's line to the block's end
            b = lay.block_of(item.start)
            self._update_band(item.start, lay.ends[lay.block_of(item.end - 1)])
            if b != lay.block_of(item.end - 1):
                self._update_band(lay.starts[b], lay.ends[b])

    def select_item(self, key: Key | None, *, scroll: bool = True) -> None:
        old = self._items.get(self.selected) if self.selected else None
        self.selected = key if key in self._items else None
        item = self._items.get(self.selected) if self.selected else None
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

    # ------------------------------------------------------------------ layout and scrolling
    def _line_height(self) -> int:
        return int(QFontMetricsF(self.font()).lineSpacing() + 0.999) + LINE_GAP

    def _side(self) -> int:
        return max(24, (self.viewport().width() - MAX_TEXT_WIDTH) // 2)

    def _text_width(self) -> float:
        return float(max(40, self.viewport().width() - 2 * self._side()))

    def _new_layout(self, text: str) -> TextLayout:
        lay = TextLayout(text, self.font(), self._text_width(), self._line_height())
        lay.formats_for = self._formats_for
        return lay

    def _formats_for(self, b: int) -> list[QTextLayout.FormatRange]:
        """Letter spacing on the last character of each entity ending in block b: room for its tag."""
        lay, to_qt = self._layout, self.map.to_qt
        start, end = lay.starts[b], lay.ends[b]
        base = to_qt(start)
        out = []
        for item in self._near(start, end):
            if start < item.end <= end:
                fmt = self._tag_formats.get(item.label)
                if fmt is None:
                    fmt = self._tag_formats[item.label] = tag_format(self.tags.gap(item.label))
                r = QTextLayout.FormatRange()
                r.start = to_qt(item.end - 1) - base
                r.length = to_qt(item.end) - to_qt(item.end - 1)
                r.format = fmt
                out.append(r)
        return out

    def _line_of(self, b: int, offset: int) -> int:
        """The line of block b holding `offset` (laying the block out if needed)."""
        lay = self._layout
        blk = lay.layout(b)
        q = self.map.to_qt(min(offset, lay.ends[b])) - self.map.to_qt(lay.starts[b])
        line = blk.lineForTextPosition(max(0, q))
        return line.lineNumber() if line.isValid() else max(0, blk.lineCount() - 1)

    def _line_y(self, offset: int) -> int:
        """Content y of the top of the line holding `offset`."""
        lay = self._layout
        b = lay.block_of(offset)
        k = self._line_of(b, offset)
        return TOP + (lay.cum[b] + k) * lay.line_height

    def _anchor_at(self, value: int) -> tuple[int, int]:
        lay = self._layout
        h = lay.line_height
        line = max(0, min((value - TOP) // h, lay.total_lines() - 1))
        b, k = lay.block_at_line(line)
        blk = lay.layout(b)
        k = min(k, blk.lineCount() - 1)
        start = blk.lineAt(k).textStart() if k >= 0 else 0
        offset = self.map.from_qt(self.map.to_qt(lay.starts[b]) + start)
        return offset, value - (TOP + (lay.cum[b] + max(0, k)) * h)

    def _sync(self) -> None:
        """Lay out what is on screen from the anchor down; then make the scroll bar match the anchor."""
        lay = self._layout
        h, height = lay.line_height, self.viewport().height()
        offset, delta = self._anchor
        b = lay.block_of(offset)
        y = -delta - self._line_of(b, offset) * h
        while b < len(lay) and y < height:
            lay.layout(b)
            y += lay.lines[b] * h
            b += 1
        bar = self.verticalScrollBar()
        self._syncing = True
        try:
            bar.setRange(0, max(0, TOP + lay.total_lines() * h + BOTTOM - height))
            bar.setPageStep(max(h, (height // h - 1) * h))  # whole lines: the top line stays whole
            bar.setSingleStep(h)
            if not bar.isSliderDown():
                bar.setValue(self._line_y(offset) + delta)
        finally:
            self._syncing = False
        if bar.value() != self._line_y(offset) + delta and not bar.isSliderDown():
            self._anchor = self._anchor_at(bar.value())  # clamped at an end of the range

    def _scrolled(self, value: int) -> None:
        if self._syncing:
            return
        self._anchor = self._anchor_at(value)
        self._sync()
        self.viewport().update()

    def _lay_out_some(self) -> None:
        """Between events: lay out the next blocks whose heights are still estimated (and forget them)."""
        lay = self._layout
        deadline = time.perf_counter() + PASS_SLICE
        first = lay.next_unlaid
        while not lay.done():
            lay.measure(lay.next_unlaid)
            if time.perf_counter() > deadline:
                break
        if first == 0 or lay.done():
            lay.re_estimate()
        self._sync()
        if lay.done():
            self._pass.stop()

    def first_visible_offset(self) -> int:
        return max(self._anchor[0], self._layout.starts[0])

    def ensure_visible(self, start: int, end: int | None = None) -> None:
        """Unless some of start-end is on screen already (a span just drawn by a long drag), scroll so the line
        holding `start` is a third of the way down."""
        lay = self._layout
        last = max(start, (end or start + 1) - 1)
        for offset in {start, last}:
            lay.layout(lay.block_of(offset))
        self._sync()  # those blocks' heights may have changed the place of what is on screen
        y, h, v = self._line_y(start), lay.line_height, self.verticalScrollBar().value()
        if self._line_y(last) + h <= v or y >= v + self.viewport().height() - h:
            target = y - self.viewport().height() // 3
            self.verticalScrollBar().setValue(TOP + max(0, (target - TOP) // h) * h if target > 0 else 0)

    def scroll_pages(self, pages: int) -> None:
        """PgDown / PgUp: a screen less one line, so the last line read stays in sight."""
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + pages * bar.pageStep())

    def scroll_lines(self, lines: int) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + lines * self._layout.line_height)

    def scroll_to_start(self) -> None:
        self.verticalScrollBar().setValue(0)

    def scroll_to_end(self) -> None:
        """Ctrl+End: the heights of the last blocks are made exact first, so the end is really the end."""
        lay = self._layout
        lines, b = 0, len(lay) - 1
        while b >= 0 and lines * lay.line_height < self.viewport().height():
            lay.layout(b)
            lines += lay.lines[b]
            b -= 1
        self._sync()
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    # ------------------------------------------------------------------ geometry queries (code points)
    def _hit(self, point: QPoint) -> tuple[int, QTextLayout, QTextLine, float] | None:
        """(block, its layout, the line under a viewport point, x in the block) — the nearest line."""
        lay = self._layout
        h = lay.line_height
        cy = self.verticalScrollBar().value() + point.y()
        line = max(0, min((cy - TOP) // h, lay.total_lines() - 1))
        b, k = lay.block_at_line(line)
        blk = lay.layout(b)
        if blk.lineCount() == 0:
            return None
        return b, blk, blk.lineAt(min(k, blk.lineCount() - 1)), point.x() - self._side()

    def boundary_at(self, point: QPoint) -> int:
        """The code-point offset between characters nearest to a viewport point (where a drag starts or ends)."""
        hit = self._hit(point)
        if hit is None:
            return 0
        b, _blk, line, x = hit
        q = line.xToCursor(x, QTextLine.CursorPosition.CursorBetweenCharacters)  # graphemes stay whole
        return self.map.from_qt(self.map.to_qt(self._layout.starts[b]) + q)

    def offset_at(self, point: QPoint) -> int:
        """Code-point offset of the character under a viewport point (or nearest to it)."""
        hit = self._hit(point)
        if hit is None:
            return 0
        b, _blk, line, x = hit
        q = line.xToCursor(x, QTextLine.CursorPosition.CursorOnCharacter)
        return self.map.from_qt(self.map.to_qt(self._layout.starts[b]) + q)

    def char_rect(self, offset: int) -> QRect:
        """Viewport rectangle of the character at `offset`, a full line high (it may lie off screen)."""
        lay = self._layout
        b = lay.block_of(offset)
        k = self._line_of(b, offset)
        self._sync()
        blk = lay.layout(b)
        base = self.map.to_qt(lay.starts[b])
        q = self.map.to_qt(offset) - base
        line = blk.lineAt(k)
        x1, x2 = char_span(blk, line, q)
        if line.textStart() + line.textLength() <= q:  # the end of the block: a place, not a character
            x2 = x1 = cursor_x(line, q)
        left, right = round(self._side() + x1), round(self._side() + x2)
        top = self._line_y(offset) - self.verticalScrollBar().value()
        return QRect(left, top, max(1, right - left), lay.line_height)

    # ------------------------------------------------------------------ keys and mouse
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

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._layout.set_width(self._text_width()):
            self._pass.start()
        self._sync()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange) and hasattr(self, "_layout"):
            self.tags = Tags(self.font())
            self._tag_formats = {}
            if self._layout.font != self.font() or self._layout.line_height != self._line_height():
                self._layout = self._new_layout(self._text)
                self.map = self._layout.map
                self._pass.start()
                self._sync()

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
        look = _Look(self, painter)  # no antialiasing but for the ring: fills are whole pixels
        while b < len(lay) and y < exposed.bottom():
            blk = lay.layout(b)
            bottom = y + lay.lines[b] * h
            if bottom > exposed.top():
                self._paint_block(look, b, blk, QPointF(self._side(), y), exposed)
            y = bottom
            b += 1
        painter.end()

    def _paint_block(self, look: _Look, b: int, blk: QTextLayout, origin: QPointF, exposed: QRectF) -> None:
        lay, to_qt, h, painter = self._layout, self.map.to_qt, self._layout.line_height, look.painter
        start, end = lay.starts[b], lay.ends[b]
        base = to_qt(start)
        k0 = max(0, int((exposed.top() - origin.y()) // h))
        k1 = min(blk.lineCount() - 1, int((exposed.bottom() - origin.y()) // h))
        if k1 < k0:
            return
        last = blk.lineAt(k1)
        vs = self.map.from_qt(base + blk.lineAt(k0).textStart())
        ve = max(vs + 1, self.map.from_qt(base + last.textStart() + last.textLength()))
        mixed = lay.mixed(b)

        def rects(a: int, z: int) -> tuple[list[QRect], float | None]:
            return range_rects(blk, origin, to_qt(max(a, start)) - base, to_qt(min(z, end)) - base, h, mixed=mixed)

        i = bisect_left(self._match_starts, vs - 4096)
        while i < len(self._matches) and self._matches[i][0] < ve:
            ms, me = self._matches[i]
            if me > vs:
                paint_match(painter, self.palette_, rects(ms, me)[0], current=i == self._current)
            i += 1
        items = [(item, *rects(item.start, item.end)) for item in self._near(max(vs, start), min(ve, end) + 1)]
        selected = self.selected
        for item, rs, _end_x in items:
            paint_fill(painter, self.palette_, item, rs, selected=item.key == selected)
        if self._drag is not None and self._drag[0] < ve and self._drag[1] > vs:
            for r in rects(*self._drag)[0]:
                painter.fillRect(r, look.drag)
        painter.setPen(look.text)
        blk.draw(painter, origin, [], exposed)
        for item, rs, end_x in items:
            ends_here = start < item.end <= end
            paint_marks(
                painter,
                self.palette_,
                item,
                rs,
                selected=item.key == selected,
                ring=look.ring,
                tag=look.tag(item) if ends_here else None,
                tag_at=end_x,
            )


class _Look:
    """What one paint needs, resolved once: colours, the ring's pen, the tags' size and pixel ratio."""

    def __init__(self, view: TextView, painter: QPainter) -> None:
        self.painter = painter
        self.text = view.palette().text().color()
        self.base = view.palette().base().color()
        self.ring = QPen(self.text, 2.0)
        self.drag = view.palette().highlight().color()
        self.drag.setAlphaF(0.28)
        self._view = view
        self._height = view.tags.height(view._layout.line_height)
        self._dpr = painter.device().devicePixelRatioF()

    def tag(self, item: Item) -> QPixmap:
        v = self._view
        return v.tags.pixmap(v.palette_, item.label, item.pending, self.base, self._height, self._dpr)


def _tooltip(item: Item) -> str:
    if item.pending:
        score = f", score {item.score:.2f}" if isinstance(item.score, (int, float)) else ""
        return f"{item.label}: suggested by the {item.origin}{score} (Enter accepts, Delete rejects)"
    return f"{item.label}: {item.origin} (Delete removes, 1-9 relabel)"
