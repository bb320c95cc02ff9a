"""How the text view paints a laid-out block: search matches and entity fills under the text, the drag
selection, the text, then dashed suggestions, the selected entity's ring and label tags over it (no widget here;
`text_view.py` calls `BlockPainter`). Whatever a screen paints dozens of times is made once: colours, brushes,
each label's tag as a pixmap; fills are whole pixels, painted without antialiasing (~10x cheaper)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QTextLayout,
    QTextLine,
)

from ..document_state import Item
from .text_layout import TextLayout

LEADING, TRAILING = QTextLine.Edge.Leading, QTextLine.Edge.Trailing

TAG_FONT_PT = 7.0


NO_BRUSH = Qt.BrushStyle.NoBrush
DASH_ON, DASH_OFF = 4, 2  # px of a suggestion's dashed outline
DOT_ON, DOT_OFF = 1, 2  # px of an unsure suggestion's dotted outline
WEAK_BELOW = 0.5  # a suggestion the model gives less than this probability is drawn weaker


def is_weak(item: Item) -> bool:
    """A pending model suggestion the model is unsure of (drawn fainter, dotted)."""
    return item.pending and isinstance(item.score, (int, float)) and item.score < WEAK_BELOW


ANTIALIAS = QPainter.RenderHint.Antialiasing
CENTRE = Qt.AlignmentFlag.AlignCenter


class Palette:
    """Colours of labels and highlights for one theme (resolved once per look: a screen paints dozens)."""

    def __init__(self, colors: dict[str, str], *, dark: bool) -> None:
        self.dark = dark
        self.colors = {name: QColor(c) for name, c in colors.items()}
        self.match = QColor("#d9a400" if dark else "#f5c400")
        self.match_line = QColor("#ffd24d" if dark else "#b07d00")
        self._backgrounds: dict[tuple[str, bool, bool, bool], QColor] = {}  # (label, pending, selected, weak)
        self._outlines: dict[tuple[str, bool, bool], tuple[QBrush, QBrush]] = {}  # (label, selected, weak)

    def color(self, label: str) -> QColor:
        return QColor(self.colors.get(label, "#888888"))

    def fill(self, label: str, *, strong: bool = False) -> QColor:
        c = self.color(label)
        c.setAlphaF((0.62 if strong else 0.44) if self.dark else (0.50 if strong else 0.30))
        return c

    def tint(self, label: str, *, strong: bool = False, weak: bool = False) -> QColor:
        c = self.color(label)
        c.setAlphaF((0.22 if strong else 0.10) if self.dark else (0.20 if strong else 0.07))
        if weak and not strong:
            c.setAlphaF(c.alphaF() * 0.4)
        return c

    def tag_text(self, label: str) -> QColor:
        c = self.color(label)
        return QColor("#ffffff") if c.lightnessF() < 0.62 else QColor("#1d1f23")

    def match_fill(self, *, current: bool) -> QColor:
        c = QColor(self.match)
        c.setAlphaF((0.75 if current else 0.40) if self.dark else (0.85 if current else 0.45))
        return c

    def background_of(self, item: Item, selected: bool) -> QColor:
        """Filled when stored, a faint tint when suggested; stronger when selected."""
        weak = is_weak(item)
        key = (item.label, item.pending, selected, weak)
        c = self._backgrounds.get(key)
        if c is None:
            if item.pending:
                c = self._backgrounds[key] = self.tint(item.label, strong=selected, weak=weak)
            else:
                c = self._backgrounds[key] = self.fill(item.label, strong=selected)
        return c

    def outline_of(self, label: str, selected: bool, weak: bool = False) -> tuple[QBrush, QBrush]:
        """A suggestion's outline, as brushes for its horizontal and vertical edges: dashed (dotted and fainter
        when the model is unsure of it), solid when selected.
        (Filling one-pixel rectangles with a dash texture costs ~3 us; stroking a dashed pen ~90 us.)"""
        key = (label, selected, weak)
        brushes = self._outlines.get(key)
        if brushes is None:
            color = self.color(label)
            if weak:
                color.setAlphaF(0.65)
            on, off = (DOT_ON, DOT_OFF) if weak else (DASH_ON, DASH_OFF)
            if selected:
                brushes = (QBrush(color), QBrush(color))
            else:
                across, down = QPixmap(on + off, 1), QPixmap(1, on + off)
                for pix, w, h in ((across, on, 1), (down, 1, on)):
                    pix.fill(Qt.GlobalColor.transparent)
                    painter = QPainter(pix)
                    painter.fillRect(0, 0, w, h, color)
                    painter.end()
                brushes = (QBrush(across), QBrush(down))
            self._outlines[key] = brushes
        return brushes


class Tags:
    """The label tag's font, the room each label's tag needs after its entity, and each tag drawn once."""

    def __init__(self, font: QFont) -> None:
        self.font = QFont(font)
        self.font.setPointSizeF(TAG_FONT_PT)
        self.font.setBold(True)
        self.font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 0.4)
        self.metrics = QFontMetricsF(self.font)
        self._gap: dict[str, float] = {}
        self._pixmaps: dict[tuple[object, ...], QPixmap] = {}

    def gap(self, label: str) -> float:
        gap = self._gap.get(label)
        if gap is None:
            gap = self._gap[label] = round(self.metrics.horizontalAdvance(label) + 12)
        return gap

    def height(self, line_height: int) -> int:
        return round(min(line_height - 6, self.metrics.height() + 3))

    def pixmap(self, palette: Palette, label: str, pending: bool, base: QColor, height: int, dpr: float) -> QPixmap:
        """A label's tag: filled in the label's colour, or outlined for a suggestion."""
        key = (id(palette), label, pending, base.rgba(), height, dpr)
        pix = self._pixmaps.get(key)
        if pix is not None:
            return pix
        width = int(self.gap(label)) - 7
        pix = QPixmap(max(1, round(width * dpr)), max(1, round(height * dpr)))
        pix.setDevicePixelRatio(dpr)
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self.font)
        tag = QRectF(0, 0, width, height)
        path = QPainterPath()
        color = palette.color(label)
        if pending:
            path.addRoundedRect(tag.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
            painter.setPen(QPen(color, 1.0))
            painter.setBrush(base)
            painter.drawPath(path)
            painter.setPen(color)
        else:
            path.addRoundedRect(tag, 3, 3)
            painter.fillPath(path, color)
            painter.setPen(palette.tag_text(label))
        painter.drawText(tag, CENTRE, label)
        painter.end()
        self._pixmaps[key] = pix
        return pix


def cursor_x(line: QTextLine, q: int, edge: QTextLine.Edge = LEADING) -> float:
    """x of a block position on its line (PySide6 returns the pair Qt fills in; its stubs say `object`)."""
    return float(line.cursorToX(q, edge)[0])  # type: ignore[index]  # the stub says object; it is (x, position)


def char_span(lay: QTextLayout, line: QTextLine, q: int) -> tuple[float, float]:
    """(left, right) of the character at block position q on its line, in either writing direction."""
    a, b = cursor_x(line, q, LEADING), cursor_x(line, q, TRAILING)
    if abs(b - a) >= 0.5:
        return min(a, b), max(a, b)
    # Qt gives both edges of the first character of a run whose direction differs from the paragraph's as the
    # run's boundary: ask the glyphs instead
    edges: list[float] = []
    for run in lay.glyphRuns(q, 1):
        advances = run.rawFont().advancesForGlyphIndexes(run.glyphIndexes())
        for pos, adv in zip(run.positions(), advances, strict=False):
            edges += (pos.x(), pos.x() + adv.x())
    return (min(edges), max(edges)) if edges else (a, a)


def range_rects(
    lay: QTextLayout, origin: QPointF, a: int, b: int, line_height: int, *, mixed: bool
) -> tuple[list[QRect], float | None]:
    """Rectangles (one per line, whole pixels) covering block positions a-b (UTF-16, end-exclusive) of a laid-out
    block, and the x where the range ends visually (its tag's side). `mixed`: the block holds right-to-left
    text, so each edge is asked of its own character (slower); else the boundaries' x are the edges."""
    if b <= a:
        return [], None
    first = lay.lineForTextPosition(a)
    last = lay.lineForTextPosition(b - 1)
    if not first.isValid() or not last.isValid():
        return [], None
    ox, oy = origin.x(), origin.y()
    rects = []
    end_x = None
    for n in range(first.lineNumber(), last.lineNumber() + 1):
        line = lay.lineAt(n)
        la = line.textStart()
        s, e = max(a, la), min(b, la + line.textLength())
        if s >= e:
            continue
        if mixed:
            (l1, r1), (l2, r2) = char_span(lay, line, s), char_span(lay, line, e - 1)
            x1, x2 = round(ox + min(l1, l2)), round(ox + max(r1, r2))
            rtl = cursor_x(line, e - 1, TRAILING) < cursor_x(line, e - 1, LEADING)
            end_x = x1 if rtl else x2
        else:
            x1, x2 = round(ox + cursor_x(line, s)), round(ox + cursor_x(line, e))
            end_x = x2
        rects.append(QRect(x1, round(oy) + n * line_height + 1, x2 - x1, line_height - 2))
    return rects, end_x


def paint_fill(painter: QPainter, palette: Palette, item: Item, rects: list[QRect], *, selected: bool) -> None:
    """The entity's background (whole pixels: the painter draws without antialiasing, ~10x cheaper)."""
    color = palette.background_of(item, selected)
    for r in rects:
        painter.fillRect(r, color)


def paint_marks(
    painter: QPainter,
    palette: Palette,
    item: Item,
    rects: list[QRect],
    *,
    selected: bool,
    ring: QPen,
    tag: QPixmap | None,
    tag_at: float | None,
) -> None:
    """Over the text: a suggestion's dashed outline, the selected entity's ring, and its label tag drawn in the
    room at x `tag_at` (the entity's visual end on its last line; None when that is not painted here)."""
    if item.pending:
        across, down = palette.outline_of(item.label, selected, is_weak(item))
        for r in rects:
            x, y, w, h = r.x(), r.y(), r.width(), r.height()
            painter.fillRect(x + 1, y, w - 2, 1, across)
            painter.fillRect(x + 1, y + h - 1, w - 2, 1, across)
            painter.fillRect(x, y + 1, 1, h - 2, down)
            painter.fillRect(x + w - 1, y + 1, 1, h - 2, down)
    if selected:  # a ring in the text colour; it stays inside the entity's own box (the tag's room included)
        painter.setRenderHint(ANTIALIAS, True)
        painter.setBrush(NO_BRUSH)
        painter.setPen(ring)
        for r in rects:
            painter.drawRoundedRect(QRectF(r).adjusted(-1.5, -0.5, -1.5, 0.5), 4, 4)
        painter.setRenderHint(ANTIALIAS, False)
    if tag is not None and tag_at is not None and rects:
        last = rects[-1]
        width = tag.width() / tag.devicePixelRatio()
        height = tag.height() / tag.devicePixelRatio()
        left = tag_at + 4 if tag_at <= last.left() + 1 else tag_at - width - 4  # room after the last letter
        painter.drawPixmap(QPointF(left, last.top() + round((last.height() - height) / 2)), tag)


def paint_match(painter: QPainter, palette: Palette, rects: list[QRect], *, current: bool) -> None:
    """A search match: a marker-pen fill under the text; the current one also outlined."""
    fill = palette.match_fill(current=current)
    for r in rects:
        painter.fillRect(r, fill)
    if current:
        painter.setRenderHint(ANTIALIAS, True)
        painter.setBrush(NO_BRUSH)
        painter.setPen(QPen(palette.match_line, 1.5))
        for r in rects:
            painter.drawRoundedRect(QRectF(r).adjusted(-1, -1, 1, 1), 3, 3)
        painter.setRenderHint(ANTIALIAS, False)


class BlockPainter:
    """Paints laid-out blocks during one paint event: search matches and entity fills under the text, the drag
    selection, the text, then outlines, the ring and tags over it. What it needs is resolved once here."""

    def __init__(
        self,
        painter: QPainter,
        layout: TextLayout,
        palette: Palette,
        tags: Tags,
        colors: QPalette,
        *,
        items_near: Callable[[int, int], list[Item]],
        selected: object,
        drag: tuple[int, int] | None,
        matches: tuple[list[tuple[int, int]], list[int], int],
    ) -> None:
        self.painter, self.layout, self.palette, self.tags = painter, layout, palette, tags
        self.items_near, self.selected, self.drag = items_near, selected, drag
        self.matches, self.match_starts, self.current = matches
        self.text = colors.text().color()
        self.base = colors.base().color()
        self.ring = QPen(self.text, 2.0)
        self.drag_fill = colors.highlight().color()
        self.drag_fill.setAlphaF(0.28)
        self.tag_height = tags.height(layout.line_height)
        self.dpr = painter.device().devicePixelRatioF()

    def paint(self, b: int, blk: QTextLayout, origin: QPointF, exposed: QRectF) -> None:
        """Block b (laid out as `blk`) with its top-left at `origin`, where it meets the `exposed` rectangle."""
        lay, painter, palette = self.layout, self.painter, self.palette
        to_qt, from_qt, h = lay.map.to_qt, lay.map.from_qt, lay.line_height
        start, end = lay.starts[b], lay.ends[b]
        base = to_qt(start)
        k0 = max(0, int((exposed.top() - origin.y()) // h))
        k1 = min(blk.lineCount() - 1, int((exposed.bottom() - origin.y()) // h))
        if k1 < k0:
            return
        last = blk.lineAt(k1)
        vs = from_qt(base + blk.lineAt(k0).textStart())  # the code points on the lines to paint
        ve = max(vs + 1, from_qt(base + last.textStart() + last.textLength()))
        mixed = lay.mixed(b)

        def rects(a: int, z: int) -> tuple[list[QRect], float | None]:
            return range_rects(blk, origin, to_qt(max(a, start)) - base, to_qt(min(z, end)) - base, h, mixed=mixed)

        i = bisect_left(self.match_starts, vs - 4096)
        while i < len(self.matches) and self.matches[i][0] < ve:
            ms, me = self.matches[i]
            if me > vs:
                paint_match(painter, palette, rects(ms, me)[0], current=i == self.current)
            i += 1
        items = [(item, *rects(item.start, item.end)) for item in self.items_near(max(vs, start), min(ve, end) + 1)]
        for item, rs, _end_x in items:
            paint_fill(painter, palette, item, rs, selected=item.key == self.selected)
        if self.drag is not None and self.drag[0] < ve and self.drag[1] > vs:
            for r in rects(*self.drag)[0]:
                painter.fillRect(r, self.drag_fill)
        painter.setPen(self.text)
        blk.draw(painter, origin, [], exposed)
        for item, rs, end_x in items:
            tag = None
            if start < item.end <= end:  # the entity ends in this block: its tag is here
                tag = self.tags.pixmap(palette, item.label, item.pending, self.base, self.tag_height, self.dpr)
            selected = item.key == self.selected
            paint_marks(painter, palette, item, rs, selected=selected, ring=self.ring, tag=tag, tag_at=end_x)
