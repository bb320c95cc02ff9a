"""How the text view paints what lies over the text: entity fills, dashed suggestions, the selected entity's
ring, label tags, search matches and the drag selection (no widget here; `text_view.py` calls these)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QTextLayout, QTextLine

from ..document_state import Item

LEADING, TRAILING = QTextLine.Edge.Leading, QTextLine.Edge.Trailing

TAG_FONT_PT = 7.0


class Palette:
    """Colours of labels and highlights for one theme."""

    def __init__(self, colors: dict[str, str], *, dark: bool) -> None:
        self.dark = dark
        self.colors = {name: QColor(c) for name, c in colors.items()}
        self.match = QColor("#d9a400" if dark else "#f5c400")
        self.match_line = QColor("#ffd24d" if dark else "#b07d00")

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

    def match_fill(self, *, current: bool) -> QColor:
        c = QColor(self.match)
        c.setAlphaF((0.75 if current else 0.40) if self.dark else (0.85 if current else 0.45))
        return c


class Tags:
    """The label tag's font and the room each label's tag needs after its entity."""

    def __init__(self, font: QFont) -> None:
        self.font = QFont(font)
        self.font.setPointSizeF(TAG_FONT_PT)
        self.font.setBold(True)
        self.font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 0.4)
        self.metrics = QFontMetricsF(self.font)
        self._gap: dict[str, float] = {}

    def gap(self, label: str) -> float:
        gap = self._gap.get(label)
        if gap is None:
            gap = self._gap[label] = round(self.metrics.horizontalAdvance(label) + 12)
        return gap


def range_rects(lay: QTextLayout, origin: QPointF, a: int, b: int, line_height: int) -> list[QRectF]:
    """Rectangles (one per line) covering block positions a-b (UTF-16, end-exclusive) of a laid-out block."""
    if b <= a or lay.lineCount() == 0:
        return []
    first = lay.lineForTextPosition(a)
    last = lay.lineForTextPosition(b - 1)
    if not first.isValid() or not last.isValid():
        return []
    rects = []
    for n in range(first.lineNumber(), last.lineNumber() + 1):
        line = lay.lineAt(n)
        la = line.textStart()
        lb = la + line.textLength()
        s, e = max(a, la), min(b, lb)
        if s >= e:
            continue
        boxes = char_span(lay, line, s), char_span(lay, line, e - 1)
        x1 = round(origin.x() + min(boxes[0][0], boxes[1][0]))
        x2 = round(origin.x() + max(boxes[0][1], boxes[1][1]))
        top = origin.y() + n * line_height
        rects.append(QRectF(x1, top + 1, x2 - x1, line_height - 2))  # whole pixels: no blended edge
    return rects


def cursor_x(line: QTextLine, q: int, edge: QTextLine.Edge = LEADING) -> float:
    """x of a block position on its line (PySide6 returns the pair Qt fills in; its stubs say `object`)."""
    return float(line.cursorToX(q, edge)[0])  # type: ignore[index]


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


def paint_fill(painter: QPainter, palette: Palette, item: Item, rects: list[QRectF], *, selected: bool) -> None:
    """The entity's background: filled when stored, a faint tint when suggested."""
    look = palette.tint if item.pending else palette.fill
    color = look(item.label, strong=selected)
    for r in rects:
        painter.fillRect(r, color)


def paint_marks(
    painter: QPainter,
    palette: Palette,
    tags: Tags,
    item: Item,
    rects: list[QRectF],
    *,
    selected: bool,
    tag_at: float | None,
    ring: QColor,
    base: QColor,
) -> None:
    """Over the text: a suggestion's dashed outline, the selected entity's ring, and the label tag at x `tag_at`
    (the entity's visual end on its last line, when that line is painted; None otherwise)."""
    color = palette.color(item.label)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if item.pending:
        pen = QPen(color, 1.3)
        pen.setStyle(Qt.PenStyle.SolidLine if selected else Qt.PenStyle.DashLine)
        painter.setPen(pen)
        for r in rects:
            painter.drawRoundedRect(r.adjusted(0.65, 0.65, -0.65, -0.65), 3, 3)
    if selected:  # a ring in the text colour; it stays inside the entity's own box (the tag's room included)
        painter.setPen(QPen(ring, 2.0))
        for r in rects:
            painter.drawRoundedRect(r.adjusted(-1.5, -0.5, -1.5, 0.5), 4, 4)
    if tag_at is not None and rects:
        _paint_tag(painter, palette, tags, item, rects[-1], tag_at, color, base)


def _paint_tag(
    painter: QPainter, palette: Palette, tags: Tags, item: Item, rect: QRectF, end_x: float, color: QColor, base: QColor
) -> None:
    gap = tags.gap(item.label)
    h = min(rect.height() - 4, tags.metrics.height() + 3)
    rtl = abs(end_x - rect.left()) < abs(end_x - rect.right())  # the entity ends on its left: right-to-left
    left = end_x + 4 if rtl else end_x - gap + 3
    tag = QRectF(left, rect.center().y() - h / 2, gap - 7, h)
    path = QPainterPath()
    path.addRoundedRect(tag, 3, 3)
    painter.setFont(tags.font)
    if item.pending:
        painter.setPen(QPen(color, 1.0))
        painter.setBrush(base)
        painter.drawPath(path)
        painter.setPen(color)
    else:
        painter.fillPath(path, color)
        painter.setPen(palette.tag_text(item.label))
    painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, item.label)


def paint_match(painter: QPainter, palette: Palette, rects: list[QRectF], *, current: bool) -> None:
    """A search match: a marker-pen fill under the text; the current one also outlined."""
    fill = palette.match_fill(current=current)
    for r in rects:
        painter.fillRect(r, fill)
    if current:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(palette.match_line, 1.5))
        for r in rects:
            painter.drawRoundedRect(r.adjusted(-1, -1, 1, 1), 3, 3)


def tag_end_x(lay: QTextLayout, origin: QPointF, end: int) -> float:
    """Viewport x where the entity ending at block position `end` ends visually (its tag's side)."""
    line = lay.lineForTextPosition(max(0, end - 1))
    left, right = char_span(lay, line, max(0, end - 1))
    rtl = cursor_x(line, max(0, end - 1), TRAILING) < cursor_x(line, max(0, end - 1), LEADING)
    return round(origin.x() + (left if rtl else right))
