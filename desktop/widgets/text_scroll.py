"""The text view's scrolling and geometry: a scroll area over a `TextLayout` (text_layout.py) that lays out only
what is on screen, holds its place by an anchor, scrolls by page, line or to an end, and tells where each
character is. `TextView` (text_view.py) adds the entities, the mouse and the painting.

The scroll bar counts pixels of lines of one fixed height; blocks not laid out yet have an estimated height,
made exact by a pass between events (`PASS_SLICE` at a time). What is on screen is held by the anchor, the first
character of the top line and how far that line is scrolled out, so the text does not move when heights above it
become exact or the width changes: the scroll bar's value is set to match the anchor instead.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QHideEvent,
    QResizeEvent,
    QShowEvent,
    QTextCharFormat,
    QTextLayout,
    QTextLine,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from .text_layout import TextLayout
from .text_paint import char_span, cursor_x

MAX_TEXT_WIDTH = 760  # px: a readable line length (~85 characters)
TOP, BOTTOM = 12, 16  # px above the first line and below the last
LINE_GAP = 4  # px between lines beyond the font's own spacing: room for fills, rings and tags
PASS_SLICE = 0.004  # s of layout per event-loop turn while heights are made exact
# s between the pass's updates of the scroll bar's range while it measures blocks below the top line only (each
# update costs a repaint of the bar: ~0.7 ms an event-loop turn, ~100 ms of 1 MB's ~150 turns)
RANGE_EVERY = 0.1
FAMILIES = ("Inter", "Segoe UI", "Noto Sans", "Helvetica Neue", "DejaVu Sans")  # the text's font, the first found


def _installed(families: tuple[str, ...]) -> list[str]:
    """The families of these that are installed (all of them if none is: Qt then picks its default). One that is
    missing never shapes a character, yet Qt looks it up as a fallback for every character the font has no glyph
    for: with no CJK font installed, laying out 1 MB of Chinese took ~30% longer with the three missing here."""
    found = [f for f in families if QFontDatabase.hasFamily(f)]
    return found or list(families)


class ScrolledText(QAbstractScrollArea):
    """Offsets are code points; `map` (the layout's `OffsetMap`) converts them to Qt's UTF-16 positions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setFocusProxy(self)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # paintEvent fills what it shows
        font = QFont()
        font.setFamilies(_installed(FAMILIES))
        font.setPointSizeF(12.5)
        self.setFont(font)
        self._text = ""
        self._layout = self._new_layout("")
        self.map = self._layout.map
        self._anchor = (0, -TOP)  # (first character of the top line, pixels of that line scrolled out)
        self._syncing = False
        self._range_due = 0.0  # when the pass updates the scroll bar's range next (see _lay_out_some)
        self._hidden = False  # hidden after being shown (its window closed or minimized): the pass waits
        self._pass = QTimer(self)
        self._pass.setInterval(0)
        self._pass.timeout.connect(self._lay_out_some)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)

    def _set_text(self, text: str) -> None:
        """A new text, at its top: a new layout."""
        self._text = text
        self._layout = self._new_layout(text)
        self.map = self._layout.map
        self._anchor = (self._layout.starts[0], -TOP)
        self._sync()
        self._pass.start()
        self.viewport().update()

    def _relaid(self, blocks: set[int]) -> None:
        """These blocks' formats changed: they are laid out again (those on screen at once)."""
        for b in blocks:
            self._layout.forget(b)
        self._sync()
        self._pass.start()

    def formatting_done(self) -> bool:
        """Every block has been laid out with its entities (the scroll bar is exact)."""
        return self._layout.done()

    def _formats_for(self, start: int, end: int) -> list[tuple[int, QTextCharFormat]]:
        """(code point, format) of the characters of start-end laid out with a format (the view's tag room)."""
        return []

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
        """Between events: lay out the next blocks whose heights are still estimated (and forget them). The
        scroll bar follows at once when a block at or above the top line changed (its value holds the anchor's
        place); when only blocks below it did, only the bar's range changes, at most every RANGE_EVERY and when
        the pass is over."""
        if self._hidden:  # a closed window's view would go on measuring a text nobody sees
            self._pass.stop()
            return
        lay = self._layout
        now = time.perf_counter()
        deadline = now + PASS_SLICE
        first = lay.next_unlaid
        while not lay.done():
            lay.next_unlaid = lay.measure_from(lay.next_unlaid, deadline)
            if time.perf_counter() > deadline:
                break
        done = lay.done()
        if first == 0 and not done:  # once done every count is exact: nothing to estimate (an O(blocks) loop)
            lay.re_estimate()
        if done or first <= lay.block_of(self._anchor[0]) or now >= self._range_due:
            self._sync()
            self._range_due = now + RANGE_EVERY
        if done:
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
        # Twice at most: the first scroll lays out the block at the new top line, whose height was perhaps an
        # estimate that placed `start` (or clamped the bar's range) a line or more off; the second corrects it.
        for _ in range(2):
            self._sync()  # those blocks' heights may have changed the place of what is on screen
            y, h, v = self._line_y(start), lay.line_height, self.verticalScrollBar().value()
            if not (self._line_y(last) + h <= v or y >= v + self.viewport().height() - h):
                break
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

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._layout.set_width(self._text_width()):
            self._pass.start()
        self._sync()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._hidden = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._hidden = False
        if not self._layout.done():
            self._pass.start()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange) and hasattr(self, "_layout"):
            self._restyled()
            if self._layout.font != self.font() or self._layout.line_height != self._line_height():
                self._layout = self._new_layout(self._text)
                self.map = self._layout.map
                self._pass.start()
                self._sync()

    def _restyled(self) -> None:
        """The font or style changed (before the text is laid out again)."""
