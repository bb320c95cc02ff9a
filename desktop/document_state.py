"""What the window shows of the document on screen: its spans and its pending suggestions (no Qt).

Spans are the annotator's stored entities. Pending suggestions are the model's cached spans that the annotator
has neither accepted, overwritten (an overlapping span of theirs hides a suggestion) nor dismissed. Each
mutation returns a `Delta` (items removed, items added) so the views repaint only what changed.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import and_, ge, itemgetter, le, lt, not_, sub
from typing import Any, NamedTuple

# What identifies an item on screen: ("span", start, end) or ("suggestion", start, end, label).
ItemKey = tuple[str, int, int] | tuple[str, int, int, str]


class Item(NamedTuple):
    """A highlighted span: stored (`pending` False) or a pending suggestion. Offsets are code points.

    A named tuple, not a frozen dataclass: opening a 1 MB article makes ~16,000 of them, ~4x faster so. Equality,
    hashing and order are on (start, end, label, pending) only, as a dataclass with origin and score
    `compare=False` had them."""

    start: int
    end: int
    label: str
    origin: str = "human"
    score: float | None = None
    pending: bool = False

    @property
    def key(self) -> ItemKey:
        """Identifies the item while it is on screen: a stored span by its place (spans do not overlap), a
        suggestion by its place and label."""
        return ("suggestion", self[0], self[1], self[2]) if self[5] else ("span", self[0], self[1])

    def _compared(self) -> tuple[int, int, str, bool]:
        return (self[0], self[1], self[2], self[5])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Item:
            return NotImplemented
        return (self[0], self[1], self[2], self[5]) == (other[0], other[1], other[2], other[5])

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash((self[0], self[1], self[2], self[5]))

    def __lt__(self, other: object) -> bool:
        return self._compared() < other._compared() if other.__class__ is Item else NotImplemented

    def __le__(self, other: object) -> bool:
        return self._compared() <= other._compared() if other.__class__ is Item else NotImplemented

    def __gt__(self, other: object) -> bool:
        return self._compared() > other._compared() if other.__class__ is Item else NotImplemented

    def __ge__(self, other: object) -> bool:
        return self._compared() >= other._compared() if other.__class__ is Item else NotImplemented


# Reading order: the same as Item's own ordering; an itemgetter makes the key without a Python call per item
# (sorting the 83,000 items of a 5 MB text: ~3x faster than a function, ~10x than Item's own comparisons).
sort_key = itemgetter(0, 1, 2, 5)  # start, end, label, pending
_start, _end = itemgetter(0), itemgetter(1)
_row_start, _row_order = itemgetter("start"), itemgetter("start", "end", "label")  # of a suggestion's dict
_row_end, _row_label = itemgetter("end"), itemgetter("label")


_new = tuple.__new__  # an Item from its six fields without a Python call: ~2x faster at 8,000 a document


def stored_items(rows: Iterable[tuple[int, int, int, str, str, float | None]]) -> list[Item]:
    """The Items of stored spans from the store's (id, start, end, label, origin, score) rows."""
    return [_new(Item, (st, en, lab, origin, score, False)) for _id, st, en, lab, origin, score in rows]


def in_reading_order(items: list[Item]) -> tuple[list[Item], list[int]]:
    """(`items` in reading order, their starts). Rows read in order are kept as they are when their starts
    strictly increase (checked at C speed: ~4x cheaper than sorting 16,000 items again)."""
    starts = list(map(_start, items))
    if all(map(lt, starts, starts[1:])):
        return list(items), starts
    ordered = sorted(items, key=sort_key)
    return ordered, list(map(_start, ordered))


def _same_places(these: list[Item], those: list[Item]) -> bool:
    """Whether the two lists hold items at the same (non-empty) places in the same order: compared at C speed,
    no tuple made per item (a 1 MB article's 8,333 suggestions: ~1 ms, where finding the spans covering each one
    took ~5 ms)."""
    return (
        len(these) == len(those)
        and list(map(_start, these)) == list(map(_start, those))
        and list(map(_end, these)) == list(map(_end, those))
        and all(map(lt, map(_start, those), map(_end, those)))
    )


LARGE = 64  # items changed at once beyond which the views take the whole new list (`Delta.items`)


@dataclass
class Delta:
    removed: list[Item] = field(default_factory=list)
    added: list[Item] = field(default_factory=list)
    # a large change (more than LARGE items): every item on screen after it, in reading order, which the session
    # sets from the state so the views take it instead of sorting 16,000 items each (hashing them against the
    # removed ones cost more than the sort)
    items: list[Item] | None = field(default=None, repr=False, compare=False)
    # how many of each item `added` holds, for `extend` (accepting 8,000 suggestions extends 8,000 times)
    _count: Counter[Item] = field(default_factory=Counter, repr=False, compare=False)
    _counted: int = field(default=0, repr=False, compare=False)

    def __bool__(self) -> bool:
        return bool(self.removed or self.added)

    def large(self) -> bool:
        return len(self.removed) + len(self.added) > LARGE

    def extend(self, other: Delta) -> Delta:
        """This change followed by `other`. An item this one added and `other` removes again (a suggestion shown
        when a span goes, hidden when its replacement comes) cancels out: views apply removals before additions,
        so listing it in both would leave it drawn."""
        if other.removed and not self.added:  # nothing to cancel out (no Item hashed: accepting 8,000 removes 8,000)
            self.removed.extend(other.removed)
        elif other.removed:
            count = self._count
            if self._counted < len(self.added):  # items added since the last call
                count.update(self.added[self._counted :])
            for item in other.removed:
                if count[item] > 0:
                    count[item] -= 1
                    self.added.remove(item)
                else:
                    self.removed.append(item)
            self._counted = len(self.added)
        self.added.extend(other.added)
        return self


class DocumentState:
    """The document on screen. Spans are kept sorted (they never overlap), so look-ups are bisections."""

    def __init__(
        self,
        document_id: int,
        text: str,
        status: str,
        spans: list[Item],
        suggestions: list[dict[str, Any]] | None,
        dismissed: set[tuple[int, int, str]],
    ) -> None:
        self.document_id = document_id
        self.note: Any = None  # the annotator's DocumentNote (comment, flag), read with the document
        self.text = text
        self.status = status
        self.dismissed = set(dismissed)
        self._spans, self._starts = in_reading_order(spans)
        self._ends = list(map(_end, self._spans))
        self.suggestions: list[Item] | None = None
        self._sug_starts: list[int] = []
        self._sug_longest = 0
        self.pending: dict[ItemKey, Item] = {}
        self._items: list[Item] | None = None  # items() in reading order, until the next change
        self.set_suggestions(suggestions)

    # -- reading
    @property
    def spans(self) -> list[Item]:
        return list(self._spans)

    def items(self) -> list[Item]:
        """Spans and pending suggestions in reading order (a new list: the text view and the entity panel each
        keep one, sorted once for both)."""
        if self._items is None and not self.pending:  # (a document accepted) the spans are in reading order
            self._items = list(self._spans)
        elif self._items is None:  # none overlap, so their starts differ: sorted by start (int keys, ~4x cheaper)
            self._items = in_reading_order(sorted([*self._spans, *self.pending.values()], key=_start))[0]
        return list(self._items)

    def span_at(self, start: int, end: int) -> Item | None:
        i = bisect_left(self._starts, start)
        if i < len(self._spans) and self._spans[i].start == start and self._spans[i].end == end:
            return self._spans[i]
        return None

    def find(self, key: ItemKey) -> Item | None:
        if key[0] == "suggestion":
            return self.pending.get(key)
        return self.span_at(key[1], key[2])

    def overlapping_spans(self, start: int, end: int) -> list[Item]:
        i = bisect_right(self._ends, start)
        j = bisect_left(self._starts, end)
        return self._spans[i:j]

    def item_at(self, offset: int) -> Item | None:
        """The span or pending suggestion covering the character at `offset`."""
        for item in self.overlapping_spans(offset, offset + 1):
            return item
        for sug in self._suggestions_near(offset, offset + 1):
            if sug.start <= offset < sug.end and sug.key in self.pending:
                return sug
        return None

    def next_after(self, offset: int) -> Item | None:
        """The first span or pending suggestion starting at or after `offset` (bisections, no sort)."""
        i = bisect_left(self._starts, offset)
        best = self._spans[i] if i < len(self._spans) else None
        for sug in (self.suggestions or [])[bisect_left(self._sug_starts, offset) :]:
            if best is not None and sug.start >= best.start:
                break
            if sug.key in self.pending:
                return sug
        return best

    def previous_before(self, offset: int) -> Item | None:
        """The last span or pending suggestion ending at or before `offset`."""
        i = bisect_right(self._ends, offset) - 1
        best = self._spans[i] if i >= 0 else None
        sugs = self.suggestions or []
        for k in range(bisect_left(self._sug_starts, offset) - 1, -1, -1):
            sug = sugs[k]
            if best is not None and sug.end <= best.start:
                break
            if sug.key in self.pending and sug.end <= offset:
                return sug
        return best

    def hidden_suggestions(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """(start, end, label) of the suggestions a span at start-end hides (overlapping, not dismissed): they
        would come back if that span were removed."""
        return [
            (s.start, s.end, s.label)
            for s in self._suggestions_near(start, end)
            if s.start < end and s.end > start and (s.start, s.end, s.label) not in self.dismissed
        ]

    # -- changes
    def add_span(self, item: Item) -> Delta:
        self._items = None
        delta = Delta(added=[item])
        i = bisect_left(self._starts, item.start)  # ints: accepting 8,000 suggestions compares no Items
        while i < len(self._spans) and self._starts[i] == item.start and self._spans[i] < item:
            i += 1
        self._spans.insert(i, item)
        self._starts.insert(i, item.start)
        self._ends.insert(i, item.end)
        for sug in self._suggestions_near(item.start, item.end):
            if sug.key in self.pending and sug.start < item.end and sug.end > item.start:
                delta.removed.append(self.pending.pop(sug.key))
        return delta

    def add_spans(self, items: list[Item]) -> Delta:
        """Many spans at once (a document accepted with its suggestions): one sort of all the spans instead of an
        insertion each (8,000 insertions into a list of 8,000 moved 32 million references), and the pending
        suggestions they cover taken away in one pass: `add_span` takes those of each span in turn."""
        if len(items) < 2:
            return Delta().extend(self.add_span(items[0])) if items else Delta()
        self._items = None
        self._spans, self._starts = in_reading_order(sorted([*self._spans, *items], key=_start))
        self._ends = list(map(_end, self._spans))
        delta = Delta(added=list(items))
        # A pending suggestion overlapped no span before, so it is covered now if the first span ending after its
        # start (spans do not overlap: their ends are in order too) starts before its end. Found for all of them
        # with C-level maps: the 8,000 suggestions of an accept cost ~8 ms as a Python loop.
        pending = self.pending
        shown = list(pending.values())
        if _same_places(shown, items):  # every shown suggestion accepted as it is (`a`): each covers itself
            delta.removed.extend(shown)
            pending.clear()
            return delta
        starts: list[float] = [*self._starts, math.inf]  # a suggestion after the last span finds infinity
        first = map(bisect_right, repeat(self._ends), map(_start, shown))
        covered = map(lt, map(starts.__getitem__, first), map(_end, shown))
        delta.removed.extend(map(pending.pop, compress(list(pending), list(covered))))
        return delta

    def remove_span(self, start: int, end: int) -> Delta:
        item = self.span_at(start, end)
        if item is None:
            return Delta()
        self._items = None
        i = bisect_left(self._starts, start)  # spans do not overlap: one starts here (list.index compared them all)
        del self._spans[i], self._starts[i], self._ends[i]
        return Delta(removed=[item]).extend(self._restore_pending(start, end))

    def dismiss(self, start: int, end: int, label: str) -> Delta:
        """Reject a suggestion; one it hid (sharing characters with it, e.g. another annotator's version of the
        same entity in review) is shown in its place."""
        self.dismissed.add((start, end, label))
        self._items = None
        item = self.pending.pop(("suggestion", start, end, label), None)
        return Delta(removed=[item] if item else []).extend(self._restore_pending(start, end))

    def undismiss(self, start: int, end: int, label: str) -> Delta:
        """Show a rejected suggestion again, in place of one shown since that shares characters with it."""
        self.dismissed.discard((start, end, label))
        self._items = None
        delta = Delta()
        for sug in self._suggestions_near(start, end):
            if sug.key in self.pending and sug.start < end and sug.end > start:
                delta.removed.append(self.pending.pop(sug.key))
        return delta.extend(self._restore_pending(start, end))

    def set_suggestions(self, suggestions: list[dict[str, Any]] | None) -> Delta:
        """Replace the model's suggestions (e.g. when they arrive from the background task)."""
        delta = Delta(removed=list(self.pending.values()))
        self.pending = {}
        self._items = None
        if suggestions is None:
            self.suggestions, self._sug_starts, self._sug_longest = None, [], 0
            return delta
        rows = suggestions
        starts = list(map(_row_start, rows))
        if not all(map(lt, starts, starts[1:])):
            rows = sorted(rows, key=_row_order)
        self.suggestions = self._show_all(rows)
        self._sug_starts = list(map(_start, self.suggestions))
        self._sug_longest = max(map(sub, map(_end, self.suggestions), self._sug_starts), default=0)
        delta.added.extend(self.pending.values())
        return delta

    def _show_all(self, rows: list[dict[str, Any]]) -> list[Item]:
        """The suggestions of `rows` (in reading order) as Items; with nothing shown yet, each one not dismissed or
        overlapped is shown (the first of several on the same words wins): what `_restore_pending` over the whole
        text does, in one pass along the sorted spans.

        The Items, and which of them are shown when no two suggestions overlap (the usual case: one model's
        entities), are found with C-level maps over the rows' columns, as `add_spans` finds the covered ones: a
        1 MB article has ~8,000 suggestions, which a Python loop took ~8 ms over."""
        starts = list(map(_row_start, rows))
        ends = list(map(_row_end, rows))
        labels = list(map(_row_label, rows))
        origins = list(map(dict.get, rows, repeat("origin")))
        if not all(origins):  # missing, None or empty: a model's
            origins = [o or "model" for o in origins]
        scores = list(map(dict.get, rows, repeat("score")))
        items = list(map(_new, repeat(Item), zip(starts, ends, labels, origins, scores, repeat(True))))
        if not all(map(le, ends, starts[1:])):  # some overlap each other: the first of them wins, in turn
            return self._show_in_turn(items)
        keys = zip(repeat("suggestion"), starts, ends, labels)
        # Intervals overlap nowhere when, their starts and their ends each sorted, the (i+1)th start is at or
        # after the ith end. Then no span hides any suggestion (spans only where the model suggested nothing, and
        # no suggestion dismissed): two sorts of merged sorted runs (~1 ms), no bisection per suggestion (~3 ms).
        if not self.dismissed:
            all_starts, all_ends = sorted([*self._starts, *starts]), sorted([*self._ends, *ends])
            if all(map(le, all_ends, all_starts[1:])):
                self.pending.update(zip(keys, items, strict=True))
                return items
        # Else a suggestion is hidden when the first span ending after its start starts before its end.
        span_starts: list[float] = [*self._starts, math.inf]
        first = map(bisect_right, repeat(self._ends), starts)
        shown: Iterable[bool] = map(ge, map(span_starts.__getitem__, first), ends)
        if self.dismissed:
            places = zip(starts, ends, labels, strict=True)
            shown = map(and_, shown, map(not_, map(self.dismissed.__contains__, places)))
        keep = list(shown)
        self.pending.update(zip(compress(keys, keep), compress(items, keep), strict=True))
        return items

    def _show_in_turn(self, items: list[Item]) -> list[Item]:
        """`_show_all` for suggestions some of which overlap each other: a Python loop along the sorted spans."""
        starts, ends, n = self._starts, self._ends, len(self._starts)
        dismissed, pending = self.dismissed, self.pending
        j, last_end = 0, -1  # j: the first span ending after the suggestion's start
        for sug in items:
            s, e, label = sug[0], sug[1], sug[2]
            if s < last_end:
                continue
            while j < n and ends[j] <= s:
                j += 1
            if (j < n and starts[j] < e) or (dismissed and (s, e, label) in dismissed):
                continue
            pending[("suggestion", s, e, label)] = sug
            last_end = e
        return items

    def _suggestions_near(self, start: int, end: int) -> list[Item]:
        """Suggestions that may overlap start-end (a bisection, not a scan: long articles have thousands)."""
        if not self.suggestions:
            return []
        i = bisect_left(self._sug_starts, start - self._sug_longest)
        j = bisect_left(self._sug_starts, end)
        return self.suggestions[i:j]

    def _restore_pending(self, start: int, end: int) -> Delta:
        """Show the suggestions touching start-end that are not dismissed, overlapped, or already shown."""
        added = []
        check_shown = bool(self.pending)  # nothing shown yet (a document opening): the sweep below suffices
        last_end = -1  # suggestions are sorted: one on the same words as a shown one loses (the first wins)
        for sug in self._suggestions_near(start, end):
            if sug.key in self.pending:
                last_end = max(last_end, sug.end)
                continue
            if sug.start >= end or sug.end <= start or sug.start < last_end:
                continue
            if (sug.start, sug.end, sug.label) in self.dismissed or self.overlapping_spans(sug.start, sug.end):
                continue
            if check_shown and any(
                p.key in self.pending and p.start < sug.end and p.end > sug.start
                for p in self._suggestions_near(sug.start, sug.end)
            ):
                continue
            self.pending[sug.key] = sug
            last_end = sug.end
            added.append(sug)
        if added:
            self._items = None
        return Delta(added=added)
