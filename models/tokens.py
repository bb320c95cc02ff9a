"""A document's own tokens: the token boundaries a token-carrying file brought (CoNLL, IOB, BILUO, Prodigy
`tokens`, spaCy DocBin), kept so that export, snapping, alignment and training use them instead of re-tokenizing.

Tokens are (start, end) code-point offsets, in order, not overlapping, none empty. They are stored packed
(`pack`): the flat start/end numbers as little-endian unsigned 16-bit integers when the text is shorter than
65,536 characters, else 32-bit: about 2.5 KB for a 3 KB article, decoded with the standard library's `array`.
Text between two tokens that is not one space is not a token of the file; `spacy_doc` gives it a token of its
own (as spaCy's tokenizer does for extra whitespace), so the text is rebuilt exactly.

Documents without tokens of their own use the project's tokenizer: `spacy_doc(nlp, text, None)`.
"""

from __future__ import annotations

import operator
import re
import sys
from array import array
from collections.abc import Iterable, Sequence
from itertools import compress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

Bounds = Sequence[tuple[int, int]]
_BIG_ENDIAN = sys.byteorder == "big"
_NOT_SPACE = re.compile("[^ ]")


def _code(length: int) -> str:
    return "H" if length < 65536 else "I"


def pack(flat: Iterable[int], length: int) -> bytes:
    """Token boundaries `flat` (start0, end0, start1, end1, ...) of a text of `length` code points, packed."""
    numbers = array(_code(length), flat)
    if _BIG_ENDIAN:
        numbers.byteswap()
    return numbers.tobytes()


def unpack(blob: bytes, length: int) -> array[int]:
    """The flat boundaries packed by `pack` for a text of `length` code points."""
    numbers = array(_code(length))
    numbers.frombytes(blob)
    if _BIG_ENDIAN:
        numbers.byteswap()
    return numbers


def bounds(blob: bytes, length: int) -> list[tuple[int, int]]:
    """The (start, end) pairs packed by `pack`."""
    flat = unpack(blob, length)
    return list(zip(flat[0::2], flat[1::2], strict=True))


def problem(flat: Sequence[int], length: int) -> str | None:
    """Why these flat boundaries cannot be a text's tokens (out of the text, empty, overlapping or out of
    order), or None when they can."""
    if len(flat) % 2:
        return "an odd number of token boundaries"
    last = 0
    for k in range(0, len(flat), 2):
        start, end = flat[k], flat[k + 1]
        if start < last:
            return f"token {k // 2} ({start}-{end}) starts before the token before it ends"
        if end <= start:
            return f"token {k // 2} ({start}-{end}) is empty"
        last = end
    if last > length:
        return f"a token ends at {last}, past the end of the text ({length} characters)"
    return None


def from_doc(doc: Doc) -> bytes:
    """The packed tokens of a spaCy Doc (every token, whitespace tokens too)."""
    return pack(of_doc(doc), len(doc.text))


def words_and_spaces(text: str, flat: Sequence[int]) -> tuple[list[str], list[bool]]:
    """spaCy's `Doc(words=..., spaces=...)` for a text and its token boundaries: one space after a token is its
    trailing space; any other text between tokens (or before the first) becomes a token of its own."""
    words: list[str] = []
    spaces: list[bool] = []
    n = len(flat)
    if n and flat[0] > 0:
        words.append(text[: flat[0]])
        spaces.append(False)
    for k in range(0, n, 2):
        end = flat[k + 1]
        words.append(text[flat[k] : end])
        nxt = flat[k + 2] if k + 2 < n else len(text)
        if nxt == end:
            spaces.append(False)
        elif text[end] == " ":
            spaces.append(True)
            if nxt > end + 1:
                words.append(text[end + 1 : nxt])
                spaces.append(False)
        else:
            spaces.append(False)
            words.append(text[end:nxt])
            spaces.append(False)
    if not words:
        return [text], [False]
    return words, spaces


def doc_bounds(text: str, flat: Sequence[int]) -> list[int]:
    """Flat boundaries of the tokens `spacy_doc` makes from these (the text between tokens that is not one
    space becomes a token of its own), without building the Doc. The gaps are measured with `map` (per-token
    work in C); only the few that are not "" or " " (paragraph breaks, double spaces) are looked at one by one."""
    n = len(flat)
    if not n:
        return [0, len(text)]
    ends = flat[1::2]
    nexts = list(flat[2::2])
    nexts.append(len(text))
    widths = list(map(operator.sub, nexts, ends))
    out = [0, flat[0]] if flat[0] > 0 else []
    if max(widths) <= 1:
        between = "".join(map(text.__getitem__, compress(ends, widths)))
        if between.count(" ") == len(between):  # the usual case: the tokens are the Doc's
            out += flat
            return out
    one = list(compress(range(len(widths)), map((1).__eq__, widths)))
    between = "".join(map(text.__getitem__, map(ends.__getitem__, one)))
    odd = [one[m.start()] for m in _NOT_SPACE.finditer(between)]  # one character, not a space
    odd += compress(range(len(widths)), map((1).__lt__, widths))  # more than one character
    done = 0
    for k in sorted(odd):
        out += flat[done : 2 * k + 2]
        start = ends[k] + (text[ends[k]] == " ")  # one space is the token's trailing space
        if start < nexts[k]:
            out += (start, nexts[k])
        done = 2 * k + 2
    out += flat[done:]
    return out


def of_doc(doc: Doc) -> list[int]:
    """Flat boundaries of a spaCy Doc's tokens."""
    from spacy.attrs import IDX, LENGTH

    arr = doc.to_array([IDX, LENGTH])
    arr[:, 1] += arr[:, 0]
    return [int(x) for x in arr.ravel().tolist()]


def spacy_doc(nlp_or_vocab: Any, text: str, blob: bytes | None) -> Doc:
    """A spaCy Doc of `text`: with the document's own tokens (`blob` from `pack`) when it has them, else
    tokenized by `nlp_or_vocab` (a Language; with tokens a Vocab is enough) with its tokenizer alone, so without
    `nlp.max_length` (a limit for the parser's memory, not the tokenizer's). Training, export and alignment
    checks build their Docs here."""
    from spacy.tokens import Doc

    if blob is None:
        made: Doc = nlp_or_vocab.tokenizer(text)
        return made
    vocab: Vocab = getattr(nlp_or_vocab, "vocab", nlp_or_vocab)
    words, spaces = words_and_spaces(text, unpack(blob, len(text)))
    return Doc(vocab, words=words, spaces=spaces)
