"""Inter-annotator agreement on documents annotated by two or more annotators.

Three measures, each over the same documents:

- **Span F1** per annotator pair and per label, with two notions of a match. *Exact*: the same start, end and
  label. *Overlap*: the same label and at least one character in common. For a pair (A, B), B's precision is the
  share of B's spans that A matches and its recall the share of A's spans that B matches; F1 is their harmonic
  mean, so it does not depend on which of the two is called A. (With exact matches F1 = 2 |A ∩ B| / (|A| + |B|).)
- **Cohen's kappa** per pair over tokens: each token gets the label of the entity it is part of, or "O", and
  kappa = (p_o - p_e) / (1 - p_e), where p_o is the share of tokens the two label alike and p_e the share expected
  by chance from each one's label frequencies. Whitespace tokens are left out (they are never entities).
- **Krippendorff's alpha** (nominal) over the same tokens and all annotators at once, computed by the
  `krippendorff` package; an annotator who did not annotate a document is missing data there, not "O".

Pure Python and numpy: the caller reads the documents (`models.store.side_by_side`) and says how to tokenize.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

SpanTuple = tuple[int, int, str]
# (start, end) of a text's non-space tokens: a sequence of pairs, or an (n, 2) integer array
Tokenize = Callable[[str], "Sequence[tuple[int, int]] | npt.NDArray[np.int64]"]
OUTSIDE = "O"


class Annotated(Protocol):
    """A document's text and each annotator's spans (sorted, non-overlapping per annotator)."""

    @property
    def text(self) -> str: ...

    @property
    def spans(self) -> Mapping[str, Sequence[SpanTuple]]: ...


@dataclass
class SpanCounts:
    """Span counts of a pair (A, B) for one label or all: `a`, `b` spans each, and how many of A's spans B
    matches (`matched_a`) and of B's spans A matches (`matched_b`)."""

    a: int = 0
    b: int = 0
    matched_a: int = 0
    matched_b: int = 0

    def add(self, other: SpanCounts) -> None:
        self.a += other.a
        self.b += other.b
        self.matched_a += other.matched_a
        self.matched_b += other.matched_b

    @property
    def f1(self) -> float | None:
        """Harmonic mean of B's precision and recall against A; None when neither has a span."""
        if self.a == 0 and self.b == 0:
            return None
        if self.matched_a == 0 or self.matched_b == 0:
            return 0.0
        precision = self.matched_b / self.b
        recall = self.matched_a / self.a
        return 2 * precision * recall / (precision + recall)

    def to_dict(self) -> dict[str, Any]:
        return {"f1": _round(self.f1), "spans": [self.a, self.b], "matched": [self.matched_a, self.matched_b]}


@dataclass
class PairAgreement:
    """Agreement of two annotators on the documents both annotated."""

    annotators: tuple[str, str]
    documents: int = 0
    documents_differing: int = 0  # documents whose span sets are not exactly equal
    tokens: int = 0
    exact: dict[str, SpanCounts] = field(default_factory=dict)  # per label
    overlap: dict[str, SpanCounts] = field(default_factory=dict)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (A's token label, B's) -> tokens

    def total(self, match: str) -> SpanCounts:
        out = SpanCounts()
        for counts in (self.exact if match == "exact" else self.overlap).values():
            out.add(counts)
        return out

    @property
    def kappa(self) -> float | None:
        return cohen_kappa(self.confusion)

    def to_dict(self) -> dict[str, Any]:
        labels = sorted(set(self.exact) | set(self.overlap))
        return {
            "annotators": list(self.annotators),
            "documents": self.documents,
            "documents_differing": self.documents_differing,
            "tokens": self.tokens,
            "cohen_kappa": _round(self.kappa),
            "exact": {**self.total("exact").to_dict(), "labels": {lab: self.exact[lab].to_dict() for lab in labels}},
            "overlap": {
                **self.total("overlap").to_dict(),
                "labels": {lab: self.overlap[lab].to_dict() for lab in labels},
            },
        }


@dataclass
class Agreement:
    """Agreement over every document annotated by two or more annotators."""

    documents: int = 0
    documents_differing: int = 0  # documents where some pair's span sets differ
    tokens: int = 0
    annotators: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    pairs: list[PairAgreement] = field(default_factory=list)
    alpha: float | None = None

    def by_label(self, match: str) -> dict[str, SpanCounts]:
        """Span counts per label, summed over every pair."""
        out: dict[str, SpanCounts] = {}
        for pair in self.pairs:
            for label, counts in (pair.exact if match == "exact" else pair.overlap).items():
                out.setdefault(label, SpanCounts()).add(counts)
        return dict(sorted(out.items()))

    def total(self, match: str) -> SpanCounts:
        out = SpanCounts()
        for pair in self.pairs:
            out.add(pair.total(match))
        return out

    def to_dict(self) -> dict[str, Any]:
        exact, overlap = self.by_label("exact"), self.by_label("overlap")
        return {
            "documents": self.documents,
            "documents_differing": self.documents_differing,
            "tokens": self.tokens,
            "annotators": self.annotators,
            "krippendorff_alpha": _round(self.alpha),
            "exact_f1": _round(self.total("exact").f1),
            "overlap_f1": _round(self.total("overlap").f1),
            "labels": {
                label: {"exact": exact[label].to_dict(), "overlap": overlap[label].to_dict()} for label in exact
            },
            "pairs": [pair.to_dict() for pair in self.pairs],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def cohen_kappa(confusion: Mapping[tuple[str, str], int]) -> float | None:
    """Cohen's kappa from (A's label, B's label) -> count; None where it is undefined (no tokens, or both
    annotators gave every token the same single label, so chance agreement is 1)."""
    n = sum(confusion.values())
    if n == 0:
        return None
    rows: Counter[str] = Counter()
    cols: Counter[str] = Counter()
    agree = 0
    for (x, y), count in confusion.items():
        rows[x] += count
        cols[y] += count
        if x == y:
            agree += count
    p_o = agree / n
    p_e = sum(rows[k] * cols[k] for k in rows) / (n * n)
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1 - p_e)


def krippendorff_alpha(value_counts: npt.NDArray[np.int64]) -> float | None:
    """Nominal Krippendorff's alpha from a units x values matrix of how many annotators gave each value to each
    unit (the `krippendorff` package); None where it is undefined (a single value used throughout)."""
    import krippendorff

    if value_counts.shape[0] == 0 or int((value_counts.sum(axis=0) > 0).sum()) < 2:
        return None
    return float(krippendorff.alpha(value_counts=value_counts, level_of_measurement="nominal"))


def span_counts(a: Sequence[SpanTuple], b: Sequence[SpanTuple], match: str) -> dict[str, SpanCounts]:
    """Per-label counts for one document's spans of A and of B (`match`: "exact" or "overlap")."""
    out: dict[str, SpanCounts] = {}
    for label in sorted({s[2] for s in a} | {s[2] for s in b}):
        a_l = sorted((s, e) for s, e, lab in a if lab == label)
        b_l = sorted((s, e) for s, e, lab in b if lab == label)
        if match == "exact":
            both = len(set(a_l) & set(b_l))
            out[label] = SpanCounts(len(a_l), len(b_l), both, both)
        else:
            out[label] = SpanCounts(len(a_l), len(b_l), _overlapped(a_l, b_l), _overlapped(b_l, a_l))
    return out


def _overlapped(spans: Sequence[tuple[int, int]], others: Sequence[tuple[int, int]]) -> int:
    """How many of `spans` share a character with one of `others` (sorted, non-overlapping, so their ends are
    sorted too)."""
    ends = [e for _s, e in others]
    found = 0
    for start, end in spans:
        i = bisect_right(ends, start)  # the first other span ending after `start`
        if i < len(others) and others[i][0] < end:
            found += 1
    return found


def token_labels(
    tokens: Sequence[tuple[int, int]] | npt.NDArray[np.int64], spans: Sequence[SpanTuple], codes: dict[str, int]
) -> npt.NDArray[np.int64]:
    """The code of each token's label: the label of a span sharing a character with it, else "O" (code 0).
    `tokens` are (start, end) pairs in order; `codes` maps labels to codes and grows as new labels are seen."""
    bounds = np.asarray(tokens, dtype=np.int64).reshape(-1, 2)
    out = np.zeros(len(bounds), dtype=np.int64)
    if not len(bounds):
        return out
    if not spans:
        return out
    span_starts = np.fromiter((sp[0] for sp in spans), dtype=np.int64, count=len(spans))
    span_ends = np.fromiter((sp[1] for sp in spans), dtype=np.int64, count=len(spans))
    firsts = np.searchsorted(bounds[:, 1], span_starts, side="right")  # first token ending after a span starts
    lasts = np.searchsorted(bounds[:, 0], span_ends, side="left")  # tokens from here start at or after its end
    for first, last, (_s, _e, label) in zip(firsts.tolist(), lasts.tolist(), spans, strict=True):
        if first < last:
            out[first:last] = codes.setdefault(label, len(codes))
    return out


def measure(
    documents: Iterable[Annotated], tokenize: Tokenize, *, on_document: Callable[[int], None] | None = None
) -> Agreement:
    """Agreement over `documents` (each annotated by two or more annotators).

    `tokenize(text)` gives the (start, end) of a document's non-space tokens; `on_document(n)` is called after
    each document with how many were measured so far.
    """
    result = Agreement()
    pairs: dict[tuple[str, str], PairAgreement] = {}
    codes: dict[str, int] = {OUTSIDE: 0}
    names: set[str] = set()
    blocks: list[npt.NDArray[np.int64]] = []  # per document: its annotators' token codes, one row each
    for doc in documents:
        annotators = sorted(doc.spans)
        if len(annotators) < 2:
            continue
        tokens = np.asarray(tokenize(doc.text), dtype=np.int64).reshape(-1, 2)
        labelled = {name: token_labels(tokens, doc.spans[name], codes) for name in annotators}
        differs = False
        for a, b in combinations(annotators, 2):
            pair = pairs.get((a, b))
            if pair is None:
                pair = pairs[(a, b)] = PairAgreement((a, b))
            pair.documents += 1
            pair.tokens += len(tokens)
            span_a, span_b = doc.spans[a], doc.spans[b]
            if set(span_a) != set(span_b):
                pair.documents_differing += 1
                differs = True
            for match, table in (("exact", pair.exact), ("overlap", pair.overlap)):
                for label, counts in span_counts(span_a, span_b, match).items():
                    table.setdefault(label, SpanCounts()).add(counts)
            _add_confusion(pair.confusion, labelled[a], labelled[b], codes)
        result.documents += 1
        result.documents_differing += differs
        result.tokens += len(tokens)
        names.update(annotators)
        blocks.append(np.vstack([labelled[name] for name in annotators]))
        if on_document:
            on_document(result.documents)
    result.annotators = sorted(names)
    result.labels = sorted(label for label in codes if label != OUTSIDE)
    result.pairs = [pairs[key] for key in sorted(pairs)]
    result.alpha = krippendorff_alpha(_value_counts(blocks, len(codes)))
    return result


def _add_confusion(
    confusion: Counter[tuple[str, str]],
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    codes: dict[str, int],
) -> None:
    if a.size == 0:
        return
    width = len(codes)
    pairs, counts = np.unique(a * width + b, return_counts=True)
    label_of = {code: label for label, code in codes.items()}
    for pair, count in zip(pairs.tolist(), counts.tolist(), strict=True):
        confusion[(label_of[pair // width], label_of[pair % width])] += count


def _value_counts(blocks: list[npt.NDArray[np.int64]], values: int) -> npt.NDArray[np.int64]:
    """Units (tokens) x values: how many annotators gave each value to each token."""
    units = sum(block.shape[1] for block in blocks)
    out = np.zeros((units, values), dtype=np.int64)
    at = 0
    for block in blocks:
        n = block.shape[1]
        for row in block:
            np.add.at(out, (np.arange(at, at + n), row), 1)
        at += n
    return out


class Dated(Annotated, Protocol):
    """An annotated document that also says when each annotator's annotation last changed."""

    @property
    def updated_at(self) -> Mapping[str, datetime]: ...


def iso_week(at: datetime) -> str:
    """The ISO week of a time, e.g. "2026-W48" (the period agreement over time is reported by)."""
    year, week, _day = at.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Period:
    """Agreement in one period: documents compared, and each annotator's exact-match span counts against the
    others (summed over the pairs they are in)."""

    documents: int = 0
    annotators: dict[str, SpanCounts] = field(default_factory=dict)


def over_time(documents: Iterable[Dated], period: Callable[[datetime], str] = iso_week) -> dict[str, Period]:
    """Agreement per period: each document counts in the period when the last of its annotators decided it.
    Periods in order, annotators by name."""
    out: dict[str, Period] = {}
    for doc in documents:
        annotators = sorted(doc.spans)
        if len(annotators) < 2:
            continue
        entry = out.setdefault(period(max(doc.updated_at[name] for name in annotators)), Period())
        entry.documents += 1
        for a, b in combinations(annotators, 2):
            pair = SpanCounts()
            for counts in span_counts(doc.spans[a], doc.spans[b], "exact").values():
                pair.add(counts)
            entry.annotators.setdefault(a, SpanCounts()).add(pair)
            entry.annotators.setdefault(b, SpanCounts()).add(SpanCounts(pair.b, pair.a, pair.matched_b, pair.matched_a))
    for entry in out.values():
        entry.annotators = dict(sorted(entry.annotators.items()))
    return dict(sorted(out.items()))
