"""Where a search query occurs in one document's text: the same matching as the document list's search (the
store's, case folded with `str.casefold`, so "STRASSE" finds "Straße"), with offsets in the original text."""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from functools import lru_cache


@lru_cache(maxsize=1)
def _expanding() -> re.Pattern[str]:
    """The characters whose case folding is longer than one character (ß -> ss, ﬁ -> fi, ...)."""
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000 and len(chr(c).casefold()) > 1]
    return re.compile("[" + re.escape("".join(chars)) + "]")


def find_matches(text: str, query: str, *, limit: int = 100_000) -> list[tuple[int, int]]:
    """(start, end) code-point ranges of `query` in `text`, case folded, not overlapping, in order (at most
    `limit`). A match that begins or ends inside a character that folds to several (the "s" of "ß") covers
    that whole character."""
    needle = query.casefold()
    if not needle:
        return []
    folded = text.casefold()
    # A folded position maps back through the characters that fold to several: at folded position P[k] starts
    # the expansion of the character at original offset E[k], X[k] characters longer; S[k] = X[0] + ... + X[k].
    P: list[int] = []  # noqa: N806 - the names of the comment above
    E: list[int] = []  # noqa: N806
    S: list[int] = []  # noqa: N806
    if len(folded) != len(text):
        shift = 0
        for m in _expanding().finditer(text):
            P.append(m.start() + shift)
            E.append(m.start())
            shift += len(m.group().casefold()) - 1
            S.append(shift)

    def original(pos: int) -> int:
        k = bisect_right(P, pos) - 1
        if k < 0:
            return pos
        if pos <= P[k] + S[k] - (S[k - 1] if k else 0):  # inside that character's expansion
            return E[k]
        return pos - S[k]

    out: list[tuple[int, int]] = []
    at = folded.find(needle)
    while at >= 0 and len(out) < limit:
        end = at + len(needle)
        a, b = original(at), original(end - 1) + 1
        if not out or a >= out[-1][1]:  # two matches inside one expanding character are one
            out.append((a, b))
        at = folded.find(needle, end)
    return out
