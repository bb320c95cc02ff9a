"""Offset conventions of files written by JavaScript tools (doccano, Label Studio), converted to and from code
points (Python `str` indices, Tagdesk's offsets everywhere).

- `codepoints`: Python's count; Label Studio since its 2022 front-end fix, Prodigy, brat, spaCy.
- `utf16`: JavaScript string length, where a character outside the Basic Multilingual Plane (most emoji) counts
  two; doccano's default and older Label Studio releases.
- `graphemes`: user-perceived characters (extended grapheme clusters: an emoji with a skin tone or a ZWJ
  sequence, a letter with combining accents, CR LF each count one); doccano projects created with "Count
  grapheme clusters as one character".

On import without `--offsets`, the convention is detected per file from the documents where the conventions
differ (`Detector`): a convention fits when every such span converts to offsets inside the text that do not cut
a character (or cluster) and, where the file gives the span's text (Label Studio's `value.text`), match it, or,
where it does not (doccano), begin and end at word edges. When several fit, code points win; when none fits the
file is refused with the line of the first span that fits none.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

CONVENTIONS = ("codepoints", "utf16", "graphemes")
FORMATS_WITH_OFFSETS = ("doccano", "labelstudio")  # the formats whose files count offsets one of these ways
DESCRIBED = {
    "codepoints": "code points (Python characters)",
    "utf16": "UTF-16 units (JavaScript string length)",
    "graphemes": "grapheme clusters (user-perceived characters)",
}
Span = tuple[int, int, str]
RawSpans = list[Span]  # as a file gives them: whole numbers in the file's units, not yet checked to fit the text
Claimed = list[object] | None  # each span's own copy of its text, where the file gives one


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_BELOW_MARKS = re.compile("[^\x00-\u02ff]")  # combining marks and every other joiner start at U+0300


def _joiners() -> Any:
    """Characters that can join the one before them into one grapheme cluster (combining marks, ZWJ, emoji
    modifiers, regional indicators, Hangul jamo, prepended marks): where none occurs and there is no CR LF,
    every code point is a cluster of its own and no segmentation is needed."""
    import regex

    classes = ["Extend", "SpacingMark", "ZWJ", "Regional_Indicator", "Prepend", "L", "V", "T", "LV", "LVT"]
    return regex.compile("\r\n|[" + "".join(f"\\p{{Grapheme_Cluster_Break={c}}}" for c in classes) + "]")


_JOINERS: Any = None


def _clusters(text: str) -> list[int]:
    import regex

    return [m.start() for m in regex.finditer(r"\X", text)]


class Units:
    """The offsets of one text in one convention: `to_cp` and `from_cp` convert single offsets (None when an
    offset falls inside a character or cluster, or outside the text). Built from where the text differs
    (astral characters; grapheme clusters only where a joining character occurs), not character by character."""

    def __init__(self, text: str, convention: str) -> None:
        self.length = len(text)
        self.astral: list[int] | None = None  # utf16: code points of the astral characters
        self.first_units: list[int] = []  # utf16: the unit each astral character starts at
        self.clusters: list[int] | None = None  # graphemes: code point where each cluster starts
        self.cluster_of: dict[int, int] = {}
        if convention == "utf16" and not _bmp_only(text):
            self.astral = [m.start() for m in _ASTRAL.finditer(text)]
            self.first_units = [cp + k for k, cp in enumerate(self.astral)]
        elif convention == "graphemes" and not _single_clusters(text):
            self.clusters = _clusters(text)
            self.cluster_of = {cp: k for k, cp in enumerate(self.clusters)}
            self.cluster_of[self.length] = len(self.clusters)

    @property
    def identity(self) -> bool:
        return self.astral is None and self.clusters is None

    def to_cp(self, unit: object) -> int | None:
        if isinstance(unit, bool) or not isinstance(unit, int):
            return None
        if self.astral is not None:
            k = bisect_left(self.first_units, unit)  # astral characters starting before this unit
            if k and self.first_units[k - 1] + 1 == unit:
                return None  # the second half of a surrogate pair
            unit -= k
        elif self.clusters is not None:
            if unit == len(self.clusters):
                return self.length
            return self.clusters[unit] if 0 <= unit < len(self.clusters) else None
        return unit if 0 <= unit <= self.length else None

    def from_cp(self, cp: int) -> int | None:
        if self.astral is not None:
            return cp + bisect_left(self.astral, cp)
        if self.clusters is not None:
            return self.cluster_of.get(cp)
        return cp


def _bmp_only(text: str) -> bool:
    return text.isascii() or _ASTRAL.search(text) is None


def _single_clusters(text: str) -> bool:
    """True when every code point is a grapheme cluster of its own (so graphemes = code points)."""
    global _JOINERS
    if text.isascii() or _BELOW_MARKS.search(text) is None:  # nothing from U+0300 on: nothing joins
        return "\r\n" not in text
    if _JOINERS is None:
        _JOINERS = _joiners()
    return _JOINERS.search(text) is None


def convert_spans(text: str, spans: RawSpans, convention: str) -> list[Span] | None:
    """Spans in `convention` units as code-point spans, or None when one of them cannot be (an offset outside the
    text or inside a character/cluster). Code points pass through unchanged (checked later)."""
    if convention == "codepoints":
        return spans
    units = Units(text, convention)
    if units.identity:
        return spans
    out: list[Span] = []
    for start, end, label in spans:
        s, e = units.to_cp(start), units.to_cp(end)
        if s is None or e is None:
            return None
        out.append((s, e, label))
    return out


def to_units(text: str, spans: list[Span], convention: str) -> list[tuple[int, int, str]] | None:
    """Code-point spans in `convention` units (for export), or None when an edge falls inside a cluster."""
    units = Units(text, convention)
    if units.identity:
        return list(spans)
    out = []
    for start, end, label in spans:
        s, e = units.from_cp(start), units.from_cp(end)
        if s is None or e is None:
            return None
        out.append((s, e, label))
    return out


def _word_edge(text: str, pos: int) -> bool:
    if pos <= 0 or pos >= len(text):
        return True
    return not (text[pos - 1].isalnum() and text[pos].isalnum())


def _fits(text: str, spans: list[Span], claimed: list[object] | None) -> bool:
    for k, (start, end, _label) in enumerate(spans):
        if not 0 <= start < end <= len(text):
            return False
        said = claimed[k] if claimed else None
        if isinstance(said, str):
            if text[start:end] != said:
                return False
        elif not (_word_edge(text, start) and _word_edge(text, end)):
            return False
    return True


@dataclass
class Detector:
    """Decides one file's convention from the documents where conventions differ. Feed it each document's raw
    spans with `add` (it returns the spans now when no decision is needed for them), then `decide()`."""

    given: str | None = None  # --offsets, or None to detect
    fitting: set[str] = field(default_factory=lambda: set(CONVENTIONS))
    first_misfit: int | None = None  # line of the first document that no convention fits
    deciding: int = 0  # documents whose spans differ between conventions
    # documents only code points were checked on (they fit): (text, raw spans, line, claimed texts)
    unchecked: list[tuple[str, RawSpans, int | None, Claimed]] = field(default_factory=list)

    def differs(self, text: str) -> bool:
        return not (_bmp_only(text) and _single_clusters(text))

    def add(self, text: str, raw: RawSpans, line: int | None, claimed: Claimed = None) -> bool:
        """Record what this document says about the convention; False if it says nothing (identical spans in
        every convention, or the convention was given). While code points fit every document, only they are
        checked (they win whenever they fit); the others are checked once a document rules code points out."""
        if self.given is not None or not raw or not self.differs(text):
            return False
        self.deciding += 1
        if "codepoints" in self.fitting and _fits(text, raw, claimed):
            self.unchecked.append((text, raw, line, claimed))
            return True
        self._check(text, raw, line, claimed)
        for item in self.unchecked:
            self._check(*item)
        self.unchecked.clear()
        return True

    def _check(self, text: str, raw: RawSpans, line: int | None, claimed: Claimed) -> None:
        fit = set()
        for conv in CONVENTIONS:
            spans = convert_spans(text, raw, conv)
            if spans is not None and _fits(text, spans, claimed):
                fit.add(conv)
        if not fit and self.first_misfit is None:
            self.first_misfit = line
        self.fitting &= fit

    def decide(self) -> str | None:
        """The convention to use, or None when none fits every deciding document."""
        if self.given is not None:
            return self.given
        for conv in CONVENTIONS:  # code points first, then UTF-16 (JavaScript's default)
            if conv in self.fitting:
                return conv
        return None

    def described(self, convention: str) -> str:
        how = "as given" if self.given else ("detected" if self.deciding else "no character where they differ")
        return f"{DESCRIBED[convention]}, {how}"


def export_units(doc: object, spans: list[Span], convention: str) -> list[tuple[int, int, str]]:
    """A document's code-point spans in `convention` units for writing; TagdeskError when an edge cannot be
    expressed (it cuts a grapheme cluster)."""
    from ..errors import TagdeskError

    if convention == "codepoints":
        return spans
    text = getattr(doc, "text", "")
    out = to_units(text, spans, convention)
    if out is None:
        raise TagdeskError(
            f"document {getattr(doc, 'id', '?')}: a span begins or ends inside a character made of several code "
            f"points, which {DESCRIBED[convention]} cannot express; nothing was written. Fix the span in the "
            "window, or export with --offsets codepoints or utf16"
        )
    return out
