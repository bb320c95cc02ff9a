"""Long texts through a spaCy pipeline in pieces, with bounded memory: the one splitter of long texts, for
suggestions (here) and for training (`models/train/data.py`, which keeps entities whole with `keep`).

spaCy refuses a text longer than `nlp.max_length` (1,000,000 characters: error E088) because its parser and NER
take about 1 GB of temporary memory per 100,000 characters processed together; a 950 KB article took 2.9 GB
for its entities. So a text longer than `PIECE` characters is cut into pieces of at most `PIECE` characters, at
a paragraph break where there is one, else at a line break, a sentence end, a space, or (text without any)
between two characters that are not one grapheme; the pieces go through `nlp.pipe` as texts of their own and
their entities are shifted back to offsets of the whole text. The NER's context reaches a few tokens, so
entities away from a cut are the same as in one pass; a cut between paragraphs or sentences rarely meets one.
Batches given to the pipeline hold at most `BATCH_CHARACTERS` characters (fewer texts when they are long), so
memory no longer grows with a text's length.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence

PIECE = 20_000  # characters: ~3,500 words, longer than nearly every article (which stays in one piece)
BATCH_CHARACTERS = 200_000  # characters processed together by the pipeline at most (~200-600 MB for en_core_web_sm)
_CUTS = [
    re.compile(r"\n[ \t]*\n\s*"),  # a paragraph break
    re.compile(r"\n\s*"),  # a line break
    re.compile("[.!?…。！？][\"'”’»)\\]]*\\s+|[。！？]"),  # a sentence end
    re.compile(r"\s+"),  # a space
]


def cut_pieces(text: str, size: int = PIECE, keep: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces covering `text`, each at most `size` characters (one piece if it fits).
    No cut falls inside a range of `keep` ((start, end) pairs, e.g. entities, sorted or not): where the only places
    left are inside one, the piece ends after it (and may be longer than `size`)."""
    inside = _Inside(keep)
    out: list[tuple[int, int]] = []
    pos = 0
    while len(text) - pos > size:
        cut = _cut(text, pos + size // 2, pos + size, inside)
        if cut >= len(text):
            break
        out.append((pos, cut))
        pos = cut
    out.append((pos, len(text)))
    return out


class _Inside:
    """Whether a cut at an offset falls inside one of some ranges, and where the range around it ends."""

    def __init__(self, ranges: Sequence[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(ranges):
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            elif end > start:
                merged.append([start, end])
        self.starts = [a for a, _b in merged]
        self.ends = [b for _a, b in merged]

    def end_around(self, cut: int) -> int | None:
        """The end of the range with start < cut < end, or None."""
        i = bisect_right(self.starts, cut - 1) - 1
        return self.ends[i] if i >= 0 and cut < self.ends[i] else None


def _cut(text: str, lo: int, hi: int, inside: _Inside) -> int:
    """The best place in lo-hi to end a piece (after the separator, so the next piece starts with text), outside
    every kept range; past hi, after the kept range around it, when there is no other."""
    for pattern in _CUTS:
        best = None
        for m in pattern.finditer(text, lo, hi):
            if m.end() <= hi and inside.end_around(m.end()) is None:
                best = m.end()
        if best is not None:
            return best
    cut = hi
    while cut > lo and (
        unicodedata.combining(text[cut]) or text[cut] in "\u200d\ufe0e\ufe0f" or text[cut - 1] == "\u200d"
    ):
        cut -= 1
    end = inside.end_around(cut)
    return cut if end is None else end


Piece = tuple[str, tuple[int, int, int]]  # (text of the piece, (index of its text, its offset, pieces of that text))


def pieces_of(texts: Iterable[str], size: int = PIECE) -> Iterator[Piece]:
    """Every text as its pieces, in order, each with (text index, offset in the text, number of pieces)."""
    for i, text in enumerate(texts):
        cuts = cut_pieces(text, size)
        for start, end in cuts:
            yield text[start:end], (i, start, len(cuts))


def batches(pieces: Iterable[Piece], batch_size: int, characters: int = BATCH_CHARACTERS) -> Iterator[list[Piece]]:
    """Pieces in batches of at most `batch_size` pieces and `characters` characters (at least one piece each)."""
    batch: list[Piece] = []
    held = 0
    for piece in pieces:
        if batch and (len(batch) >= batch_size or held + len(piece[0]) > characters):
            yield batch
            batch, held = [], 0
        batch.append(piece)
        held += len(piece[0])
    if batch:
        yield batch


def pipe_batch_size(batch_size: int, size: int = PIECE) -> int:
    """With worker processes (spaCy batches the stream itself): a batch size that keeps a batch of full pieces
    under BATCH_CHARACTERS."""
    return max(1, min(batch_size, BATCH_CHARACTERS // size))
