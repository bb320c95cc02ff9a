"""The text view's layout: the text cut into display blocks, each laid out with `QTextLayout` only when it is
needed, and an index of how many lines each block takes (no widget here).

Display blocks are the text's paragraphs (cut at line breaks); a paragraph longer than `MAX_BLOCK` characters is
cut further at a sentence end (else a space, else between two characters that are not one grapheme) into
blocks of `MIN_BLOCK`-`MAX_BLOCK` characters. Blocks are laid out on their own, so everything is local: a change
to one entity lays out the one block holding it (~0.5 ms), a jump to the middle of a 5 MB paragraph lays out the
blocks on screen, and a width change lays out what is visible first. The price: in a paragraph longer than
`MAX_BLOCK`, one line in ~40 ends early, at a sentence end. Laying out such a paragraph as one flow instead was
measured: greedy line breaking started at two places of the same paragraph agrees again only after 17-32 lines
(median; often not within 400), so any change or jump would reflow the paragraph from there to its end.

Until a block has been laid out its line count is estimated from the blocks laid out so far; a pass between
events lays out every block once to make the counts exact (and forgets the layouts: only `CACHE` blocks are kept).

Offsets: the view speaks Python code points outside; Qt speaks UTF-16 units. `OffsetMap.to_qt` /
`OffsetMap.from_qt` are the one pair of conversions, from code points to UTF-16 positions in the whole text; a
block's own positions are those minus the block's start.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable
from itertools import accumulate, repeat
from operator import add, sub, truediv
from time import perf_counter

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QTextCharFormat, QTextLayout, QTextOption

BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # where a paragraph ends (str.splitlines' line boundaries)
MAX_BLOCK = 6000  # characters of a display block cut from a long paragraph
MIN_BLOCK = 3000
CACHE = 160  # laid-out blocks kept (a screen shows a few, or dozens of short paragraphs)
TAIL = 600  # characters before a cut looked at first for a sentence end (a 1 MB paragraph has ~170 cuts)
RUN = 6000  # UTF-16 units of short blocks measured in one layout by the pass
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SENTENCE_ENDS = (". ", "? ", "! ", "\u2026 ", '." ', ".\u201d ", "\u3002", "\uff01", "\uff1f")  # . ? ! … ." .” 。！？
_SPACES = (" ", "\t", "\u3000", "\u00a0")
_JOINS = frozenset("\u200d\ufe0e\ufe0f\u20e3")
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")


class OffsetMap:
    """Code point <-> UTF-16 position for one text: +1 after each character outside the BMP (a surrogate
    pair). The one pair of conversions between the view's outside and Qt."""

    def __init__(self, text: str) -> None:
        self.length = len(text)
        # most texts have no character outside the BMP: found out at C speed before looking for where they are
        astral = not text.isascii() and len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)
        self._cp = [m.start() + 1 for m in _ASTRAL.finditer(text)] if astral else []  # after the k-th pair
        self._qt = [cp + k + 1 for k, cp in enumerate(self._cp)]  # the same place in UTF-16 units

    def to_qt(self, offset: int) -> int:
        """UTF-16 position of a code-point offset."""
        return offset + bisect_right(self._cp, offset)

    def units(self, starts: list[int], ends: list[int]) -> list[int]:
        """UTF-16 length of each range starts[k]-ends[k] (code points: the same when the text has no pair)."""
        if not self._cp:
            return list(map(sub, ends, starts))
        to_qt = self.to_qt
        return [to_qt(e) - to_qt(s) for s, e in zip(starts, ends, strict=True)]

    def from_qt(self, position: int) -> int:
        """Code-point offset of a UTF-16 position (inside a surrogate pair: the next character)."""
        return max(0, min(self.length, position - bisect_right(self._qt, position)))


def _cut(text: str, start: int, end: int) -> int:
    """Where to end a block cut from a long paragraph, between start + MIN_BLOCK and start + MAX_BLOCK: after
    the last sentence end there, else the last space, else between two characters that are not one grapheme
    (str.rfind, not a regular expression: a 5 MB paragraph is cut in a few ms)."""
    lo, hi = start + MIN_BLOCK, min(end, start + MAX_BLOCK)
    for seps in (_SENTENCE_ENDS, _SPACES):
        # the last one in the last TAIL characters is the last of all; only when there is none, the rest is read
        at = max(map(text.rfind, seps, repeat(max(lo, hi - 1 - TAIL)), repeat(hi - 1)))
        if at < 0 and hi - 1 - TAIL > lo:
            at = max(map(text.rfind, seps, repeat(lo), repeat(hi - 1)))
        if at >= 0:
            cut = at + len(next(sep for sep in seps if text.startswith(sep, at)))  # one of them starts there
            while cut < hi and text[cut].isspace():
                cut += 1
            return cut
    cut = hi
    while cut > lo and (
        unicodedata.combining(text[cut]) or text[cut] in _JOINS or text[cut - 1] == "\u200d" or _is_modifier(text[cut])
    ):
        cut -= 1
    return cut


def _is_modifier(ch: str) -> bool:
    return "\U0001f3fb" <= ch <= "\U0001f3ff" or unicodedata.category(ch) == "Mc"


def cut_blocks(text: str) -> tuple[list[int], list[int], list[int]]:
    """(starts, ends, paragraph starts) of the display blocks; `ends` exclude the line break. A leading
    byte-order mark is not shown. The lines are measured at C speed (a 1 MB article has ~17,000); only paragraphs
    longer than MAX_BLOCK are looked at one by one."""
    pos = 1 if text.startswith("\ufeff") else 0
    lines = text[pos:].splitlines(keepends=True)
    begins = list(accumulate(map(len, lines), initial=pos))  # where each line begins, then the text's end
    starts = begins[:-1]
    ends = list(map(sub, begins[1:], map(add, map(str.endswith, lines, repeat("\r\n")), repeat(1))))  # less its break
    if lines and lines[-1][-1] not in BREAKS:
        ends[-1] = len(text)  # the last line has no break
    else:  # the text ends with a line break, or is empty: an empty last line
        starts.append(len(text))
        ends.append(len(text))
    if max(map(sub, ends, starts)) <= MAX_BLOCK:
        return starts, ends, list(starts)
    cut_starts: list[int] = []
    cut_ends: list[int] = []
    paras: list[int] = []
    for para, end in zip(starts, ends, strict=True):
        at = para
        while end - at > MAX_BLOCK:
            cut = _cut(text, at, end)
            cut_starts.append(at)
            cut_ends.append(cut)
            paras.append(para)
            at = cut
        cut_starts.append(at)
        cut_ends.append(end)
        paras.append(para)
    return cut_starts, cut_ends, paras


def right_to_left(text: str, start: int, end: int) -> bool:
    """True when the paragraph's first strongly directional character is right-to-left (its base direction)."""
    for i in range(start, min(end, start + 4000)):
        kind = unicodedata.bidirectional(text[i])
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


class TextLayout:
    """The display blocks of one text at one width, their line counts and the layouts of the blocks in use."""

    def __init__(self, text: str, font: QFont, width: float, line_height: int) -> None:
        self.text = text
        self.map = OffsetMap(text)
        self.starts, self.ends, self.paras = cut_blocks(text)
        self.font = font
        self.metrics = QFontMetricsF(font)
        self.width = max(40.0, width)
        self.line_height = line_height
        # the view's tag room: (code point of a character, its format) for the characters of start-end
        self.formats_for: Callable[[int, int], list[tuple[int, QTextCharFormat]]] | None = None
        self._cache: OrderedDict[int, QTextLayout] = OrderedDict()
        self._rtl: dict[int, bool] = {}
        self._mixed: dict[int, bool] = {}
        self._laid_units = 0  # UTF-16 units and lines of the blocks laid out: the estimate for the others
        self._laid_lines = 0
        self._units = self.map.units(self.starts, self.ends)
        self.lines: list[int] = []
        self.exact = bytearray()
        self._cum: list[int] | None = None
        self.next_unlaid = 0  # the pass that makes every count exact has reached this block
        self.made = 0  # layouts made (the view's tests count them)
        self.measured_lines = 0  # lines broken by measure_from (the view's tests count those of one pass step)
        # a run measure_from stopped in at its deadline: (its blocks, their starts in it, the layout begun)
        self._partial: tuple[list[int], list[int], QTextLayout] | None = None
        self._reset(self.width / max(1.0, self.metrics.averageCharWidth()))

    def _reset(self, per_line: float) -> None:
        self._cache.clear()
        self._partial = None
        self._laid_units = self._laid_lines = 0
        self.lines = list(map(max, repeat(1), map(math.ceil, map(truediv, self._units, repeat(per_line)))))
        self.exact = bytearray(len(self.starts))
        self._cum = None
        self.next_unlaid = 0

    def set_width(self, width: float) -> bool:
        """Lay out at a new width (each block again when it is needed); False if it is the same."""
        width = max(40.0, width)
        if width == self.width:
            return False
        per_line = self._per_line() * width / self.width
        self.width = width
        self._reset(max(1.0, per_line))
        return True

    def _per_line(self) -> float:
        """UTF-16 units per line, as far as the blocks laid out tell."""
        if self._laid_lines:
            return max(1.0, self._laid_units / self._laid_lines)
        return max(1.0, self.width / max(1.0, self.metrics.averageCharWidth()))

    # -- the index
    def __len__(self) -> int:
        return len(self.starts)

    def block_of(self, offset: int) -> int:
        return max(0, bisect_right(self.starts, offset) - 1)

    @property
    def cum(self) -> list[int]:
        """Lines before each block (and the total at the end)."""
        if self._cum is None:
            self._cum = [0, *accumulate(self.lines)]
        return self._cum

    def total_lines(self) -> int:
        return self.cum[-1]

    def block_at_line(self, line: int) -> tuple[int, int]:
        """(block, line within it) of a line number of the whole text."""
        cum = self.cum
        b = min(len(self.starts) - 1, max(0, bisect_right(cum, line) - 1))
        return b, max(0, min(line - cum[b], self.lines[b] - 1))

    def re_estimate(self) -> None:
        """Estimate again the blocks not laid out yet, from those laid out so far."""
        per_line, units, exact, lines = self._per_line(), self._units, self.exact, self.lines
        for b in range(len(lines)):
            if not exact[b]:
                lines[b] = max(1, math.ceil(units[b] / per_line))
        self._cum = None

    # -- layouts
    def layout(self, b: int) -> QTextLayout:
        """Block b laid out (cached; its line count becomes exact)."""
        lay = self._cache.get(b)
        if lay is not None:
            self._cache.move_to_end(b)
            return lay
        lay = self._make(b)
        self._cache[b] = lay
        if len(self._cache) > CACHE:
            self._cache.popitem(last=False)
        return lay

    def measure_from(self, b: int, deadline: float | None = None) -> int:
        """Make block b's line count exact without keeping a layout; short left-to-right blocks after it are
        measured in the same layout, joined by line separators (one QTextLayout per block costs ~60 us of
        overhead: a 1 MB article has thousands of short paragraphs). Returns the next block to measure.

        With a `deadline` (a `time.perf_counter()` value), lines are broken only until it has passed: a run of
        RUN units takes ~10 ms, more than a frame's share. The layout is then kept half made and b is returned;
        the next call for b goes on where this one stopped (each call breaks at least one line)."""
        if self.exact[b]:
            return b + 1
        if b in self._cache:
            self._count(b, self._cache[b].lineCount())
            return b + 1
        if self.starts[b] == self.ends[b]:
            self._count(b, 1)
            return b + 1
        partial = self._partial
        if partial is not None and partial[0][0] == b:
            run, at, lay = partial
        else:
            run, at, lay = self._start_run(b)
        self._partial = None
        width = self.width
        while (line := lay.createLine()).isValid():
            line.setLineWidth(width)
            self.measured_lines += 1
            if deadline is not None and perf_counter() > deadline:
                self._partial = (run, at, lay)
                return b
        lay.endLayout()
        # each block starts a line (the separator ends one): the line of each block's start, asked once a block
        # (a 1 MB article: ~26,000 blocks on ~50,000 lines)
        firsts = [lay.lineForTextPosition(a).lineNumber() for a in at]
        firsts.append(lay.lineCount())
        for j, a, z in zip(run, firsts, firsts[1:], strict=False):
            self._count(j, max(1, z - a))
        return run[-1] + 1

    def _start_run(self, b: int) -> tuple[list[int], list[int], QTextLayout]:
        """(the blocks measured with b, where each starts in the joined text in UTF-16 units, their layout begun
        and no line made yet). A right-to-left block is measured alone, in its own direction."""
        rtl = self._right_to_left(b)
        run, units = [b], self._units[b]
        k = b + 1
        while (
            not rtl
            and k < len(self.starts)
            and units + 1 + self._units[k] <= RUN
            and not self.exact[k]
            and k not in self._cache
            and not self._right_to_left(k)
        ):
            run.append(k)
            units += 1 + self._units[k]
            k += 1
        to_qt = self.map.to_qt
        at = [0]  # where each block of the run starts in the joined text (UTF-16)
        for j in run[:-1]:
            at.append(at[-1] + self._units[j] + 1)
        lay = QTextLayout("\u2028".join(self.text[self.starts[j] : self.ends[j]] for j in run), self.font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        option.setTextDirection(Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight)
        lay.setTextOption(option)
        lay.setCacheEnabled(False)
        starts = [self.starts[j] for j in run]
        ranges = []
        for cp, fmt in self.formats_for(starts[0], self.ends[run[-1]]) if self.formats_for else []:
            i = bisect_right(starts, cp) - 1
            ranges.append(_range(at[i] + to_qt(cp) - to_qt(starts[i]), to_qt(cp + 1) - to_qt(cp), fmt))
        if ranges:
            lay.setFormats(ranges)
        lay.beginLayout()
        self.made += 1
        return run, at, lay

    def forget(self, b: int) -> None:
        """Block b's formats changed: lay it out again when next needed."""
        self._cache.pop(b, None)
        self._partial = None  # a run half measured may hold b with its old formats
        if self.exact[b]:
            self.exact[b] = 0
            self._laid_units -= self._units[b]
            self._laid_lines -= self.lines[b]
            self.next_unlaid = min(self.next_unlaid, b)

    def mixed(self, b: int) -> bool:
        """True when block b holds right-to-left characters (its x positions need care at direction changes)."""
        m = self._mixed.get(b)
        if m is None:
            m = self._mixed[b] = _RIGHT_TO_LEFT.search(self.text, self.starts[b], self.ends[b]) is not None
        return m

    def is_cached(self, b: int) -> bool:
        return b in self._cache

    def _make(self, b: int, *, to_draw: bool = True) -> QTextLayout:
        """Lay block b out; `to_draw`: also place its lines and keep its glyphs (not when only counting lines)."""
        start, end = self.starts[b], self.ends[b]
        self.made += 1
        lay = QTextLayout(self.text[start:end], self.font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        if self._right_to_left(b):
            option.setTextDirection(Qt.LayoutDirection.RightToLeft)
            option.setAlignment(Qt.AlignmentFlag.AlignRight)
        else:
            option.setTextDirection(Qt.LayoutDirection.LeftToRight)
        lay.setTextOption(option)
        lay.setCacheEnabled(to_draw)
        to_qt, base = self.map.to_qt, self.map.to_qt(start)
        formats = self.formats_for(start, end) if self.formats_for else []
        if formats:
            lay.setFormats([_range(to_qt(cp) - base, to_qt(cp + 1) - to_qt(cp), fmt) for cp, fmt in formats])
        ascent = self.metrics.ascent()
        pad = (self.line_height - self.metrics.height()) / 2
        lay.beginLayout()
        k = 0
        while True:
            line = lay.createLine()
            if not line.isValid():
                break
            line.setLineWidth(self.width)
            if to_draw:
                line.setPosition(QPointF(0, k * self.line_height + pad + ascent - line.ascent()))
            k += 1
        lay.endLayout()
        self._count(b, max(1, k))
        return lay

    def _right_to_left(self, b: int) -> bool:
        """Block b's paragraph reads from right to left."""
        para = self.paras[b]
        rtl = self._rtl.get(para)
        if rtl is None:
            rtl = self._rtl[para] = right_to_left(self.text, para, self.ends[b])
        return rtl

    def _count(self, b: int, lines: int) -> None:
        if not self.exact[b]:
            self.exact[b] = 1
            self._laid_units += self._units[b]
            self._laid_lines += lines
        if self.lines[b] != lines:
            self.lines[b] = lines
            self._cum = None

    def done(self) -> bool:
        """Every block's line count is exact."""
        while self.next_unlaid < len(self.starts) and self.exact[self.next_unlaid]:
            self.next_unlaid += 1
        return self.next_unlaid >= len(self.starts)


def _range(start: int, length: int, fmt: QTextCharFormat) -> QTextLayout.FormatRange:
    r = QTextLayout.FormatRange()
    r.start, r.length, r.format = start, length, fmt
    return r


def tag_format(spacing: float) -> QTextCharFormat:
    """The format of an entity's last character: letter-spaced, which makes room for its label tag."""
    fmt = QTextCharFormat()
    fmt.setFontLetterSpacingType(QFont.SpacingType.AbsoluteSpacing)
    fmt.setFontLetterSpacing(spacing)
    return fmt
