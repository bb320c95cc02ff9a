"""Token boundaries for the text view: snap a dragged range to whole tokens, find the token under the mouse,
grow or shrink a span by one token. No Qt.

The tokens are those of the project's spaCy language (`models.formats._tokens.project_tokenizer`: the same
tokens export aligns to; no pipeline weights), loaded in the background. Only the paragraph around the range is
tokenized (a 1 MB article is not re-tokenized per drag); paragraphs are cut at line breaks, where no token crosses.
Until the tokenizer has loaded, a word/punctuation pattern stands in. A document that came with its own tokens
(a CoNLL, IOB, Prodigy or DocBin import) snaps to those instead (`DocumentTokens`), whatever the tokenizer.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

Tokenizer = Callable[[str], "Doc"]
WINDOW = 4000  # characters each side of a range when a paragraph is longer than that
_FALLBACK = re.compile(r"\w+(?:['’.-]\w+)*|[^\w\s]", re.UNICODE)


class DocumentTokens:
    """A document's own tokens (non-space ones, in order), searched by bisection."""

    def __init__(self, text: str, pairs: Sequence[tuple[int, int]]) -> None:
        kept = [(s, e) for s, e in pairs if text[s:e].strip()]
        self.pairs = kept
        self.starts = [s for s, _e in kept]
        self.ends = [e for _s, e in kept]

    def around(self, start: int, end: int) -> list[tuple[int, int]]:
        """The tokens within WINDOW characters of start-end (at least those overlapping it and one each side)."""
        lo = max(0, bisect_right(self.ends, start - WINDOW) - 1)
        hi = min(len(self.pairs), bisect_left(self.starts, end + WINDOW) + 1)
        return self.pairs[lo:hi]


class Snapper:
    """Token arithmetic over one text. `own`: the document's own tokens, when it has them."""

    def __init__(self, tokenizer: Tokenizer | None = None) -> None:
        self.tokenizer = tokenizer
        self.own: DocumentTokens | None = None

    def tokens(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        """(start, end) of the non-space tokens of the paragraph(s) around start-end."""
        if self.own is not None:
            return self.own.around(start, end)
        lo = text.rfind("\n", max(0, start - WINDOW), start) + 1 if start > 0 else 0
        if lo == 0 and start > WINDOW:
            lo = _space_before(text, start - WINDOW)
        hi = text.find("\n", end, end + WINDOW)
        if hi < 0:
            hi = len(text) if end + WINDOW >= len(text) else _space_after(text, end + WINDOW)
        chunk = text[lo:hi]
        if self.tokenizer is None:
            return [(lo + m.start(), lo + m.end()) for m in _FALLBACK.finditer(chunk)]
        out = []
        for tok in self.tokenizer(chunk):
            if not tok.is_space:
                out.append((lo + tok.idx, lo + tok.idx + len(tok.text)))
        return out

    def snap(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """The smallest run of whole tokens covering the non-space part of start-end; None if it is all space."""
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            return None
        toks = [t for t in self.tokens(text, start, end) if t[0] < end and t[1] > start]
        if not toks:
            return (start, end)
        return (toks[0][0], toks[-1][1])

    def token_at(self, text: str, offset: int) -> tuple[int, int] | None:
        for tok in self.tokens(text, offset, offset + 1):
            if tok[0] <= offset < tok[1]:
                return tok
        return None

    def resize(self, text: str, start: int, end: int, *, side: str, grow: bool) -> tuple[int, int] | None:
        """One token more (grow) or fewer at the `side` ("end" or "start") of a span; None when it cannot."""
        toks = self.tokens(text, start, end)
        if side == "end":
            if grow:
                after = [t for t in toks if t[0] >= end]
                return (start, after[0][1]) if after else None
            inside = [t for t in toks if t[0] >= start and t[1] <= end]
            return (start, inside[-2][1]) if len(inside) > 1 else None
        if grow:
            before = [t for t in toks if t[1] <= start]
            return (before[-1][0], end) if before else None
        inside = [t for t in toks if t[0] >= start and t[1] <= end]
        return (inside[1][0], end) if len(inside) > 1 else None


def _space_before(text: str, i: int) -> int:
    j = i
    while j > 0 and not text[j - 1].isspace():
        j -= 1
    return j


def _space_after(text: str, i: int) -> int:
    j = i
    while j < len(text) and not text[j].isspace():
        j += 1
    return j
