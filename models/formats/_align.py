"""Spans moved onto token boundaries for token formats, on flat token boundaries (start0, end0, start1, ...),
as spaCy's `Doc.char_span` modes do ("strict", "expand", "contract"), without making a spaCy Token per token."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

SpanTuple = tuple[int, int, str]


def char_span(starts: Sequence[int], ends: Sequence[int], start: int, end: int, mode: str) -> tuple[int, int] | None:
    """The (start, end) of the tokens `Doc.char_span(start, end, alignment_mode=mode)` would give, or None, on
    the token starts and ends (`flat[0::2]`, `flat[1::2]`: sliced once per document, not once per span)."""
    if mode == "strict":
        i = bisect_left(starts, start)
        j = bisect_left(ends, end)
        ok = i < len(starts) and starts[i] == start and j < len(ends) and ends[j] == end and i <= j
        return (start, end) if ok else None
    if mode == "expand":  # every token the range touches
        i = bisect_right(ends, start)
        j = bisect_left(starts, end) - 1
    else:  # contract: the tokens wholly inside the range
        i = bisect_left(starts, start)
        j = bisect_right(ends, end) - 1
    if i > j or i >= len(starts) or j < 0:
        return None
    return starts[i], ends[j]


def align(
    text: str, flat: Sequence[int], spans: list[SpanTuple], mode: str | None
) -> tuple[list[SpanTuple], list[tuple[SpanTuple, str]], int]:
    """Spans moved to token boundaries.

    Returns (aligned spans, problems, changed). Without `mode` a span whose edges are not token boundaries is a
    problem; with `mode` ("expand" or "contract") it is moved, and a span that contracts to nothing (or only
    whitespace) or overlaps another once moved is a problem. `changed` counts moved spans.
    """
    out: list[SpanTuple] = []
    problems: list[tuple[SpanTuple, str]] = []
    changed = 0
    starts, ends = flat[0::2], flat[1::2]
    for start, end, label in spans:
        got = char_span(starts, ends, start, end, "strict")
        if got is None:
            if mode is None:
                problems.append(((start, end, label), "not on token boundaries"))
                continue
            got = char_span(starts, ends, start, end, mode)
            if got is None or not text[got[0] : got[1]].strip():
                problems.append(((start, end, label), "no whole token inside it (try --align expand)"))
                continue
            changed += 1
        new = (got[0], got[1], label)
        if out and new[0] < out[-1][1]:
            problems.append(((start, end, label), f"overlaps {out[-1][0]}-{out[-1][1]} once moved to tokens"))
            continue
        out.append(new)
    return out, problems, changed


def tags(text: str, flat: Sequence[int], spans: list[SpanTuple], scheme: str) -> list[str]:
    """One tag per token for spans on token boundaries: "iob" (IOB2) or "biluo", as spaCy's
    offsets_to_biluo_tags (+ biluo_to_iob) write them, from the token boundaries alone."""
    starts, ends = flat[0::2], flat[1::2]
    out = ["O"] * (len(flat) // 2)
    for start, end, label in spans:
        a, b = bisect_left(starts, start), bisect_left(ends, end)
        if scheme == "biluo":
            if a == b:
                out[a] = f"U-{label}"
                continue
            out[a] = f"B-{label}"
            for k in range(a + 1, b):
                out[k] = f"I-{label}"
            out[b] = f"L-{label}"
        else:
            out[a] = f"B-{label}"
            for k in range(a + 1, b + 1):
                out[k] = f"I-{label}"
    return out
