"""The document on screen without a window: items compare as before, and opening shows the same suggestions as
restoring them one by one."""

from __future__ import annotations

import random

from desktop.document_state import DocumentState, Item


def test_items_compare_on_place_label_and_pending_only():
    a = Item(3, 8, "ORG")
    b = Item(3, 8, "ORG", "model", 0.4)
    assert a == b and hash(a) == hash(b)
    assert (a != b) is False
    assert a != Item(3, 8, "ORG", pending=True) and a != Item(3, 8, "GPE")
    assert a < Item(3, 8, "ORG", pending=True) < Item(3, 9, "GPE") < Item(4, 5, "AAA")
    assert sorted([Item(4, 5, "X"), Item(3, 8, "ORG", pending=True), a]) == [
        a,
        Item(3, 8, "ORG", pending=True),
        Item(4, 5, "X"),
    ]
    assert a.key == ("span", 3, 8) and Item(3, 8, "ORG", pending=True).key == ("suggestion", 3, 8, "ORG")
    assert {a: 1}[b] == 1


def _case(rng: random.Random) -> tuple[int, list[Item], list[dict[str, object]], set[tuple[int, int, str]]]:
    length = rng.choice([30, 80, 300])
    spans, at = [], 0
    while at < length:
        at += rng.randint(0, 8)
        n = rng.randint(1, 6)
        if at + n <= length and rng.random() < 0.5:
            spans.append(Item(at, at + n, rng.choice("AB")))
        at += n
    rng.shuffle(spans)
    suggestions: list[dict[str, object]] = []
    for _ in range(rng.randint(0, 20)):
        start = rng.randint(0, length - 1)
        end = min(length, start + rng.randint(1, 6))
        suggestions.append({"start": start, "end": end, "label": rng.choice("AB"), "origin": "model", "score": 0.5})
    if rng.random() < 0.5:
        suggestions.sort(key=lambda d: (d["start"], d["end"], d["label"]))
    dismissed = {(int(d["start"]), int(d["end"]), str(d["label"])) for d in suggestions if rng.random() < 0.2}
    return length, spans, suggestions, dismissed


def test_opening_shows_what_restoring_each_suggestion_shows():
    rng = random.Random(14)
    for _ in range(2000):
        length, spans, suggestions, dismissed = _case(rng)
        text = "x" * length
        opened = DocumentState(1, text, "pending", spans, suggestions, dismissed)
        one_by_one = DocumentState(1, text, "pending", spans, None, dismissed)
        one_by_one.suggestions = opened.suggestions
        one_by_one._sug_starts = [s.start for s in opened.suggestions or []]
        one_by_one._sug_longest = max((s.end - s.start for s in opened.suggestions or []), default=0)
        one_by_one._restore_pending(0, length + 1)
        assert opened.pending == one_by_one.pending
        assert list(opened.pending) == list(one_by_one.pending)
        assert opened.items() == sorted([*opened.spans, *opened.pending.values()])
        assert [i.origin for i in opened.items()] == [
            i.origin for i in sorted([*opened.spans, *opened.pending.values()])
        ]


def test_adding_many_spans_at_once_is_adding_them_one_by_one():
    """Accepting a document turns its shown suggestions into spans in one sort: the spans, the suggestions still
    shown and the change the views apply are those of adding each span in turn."""
    rng = random.Random(15)
    for _ in range(1000):
        length, spans, suggestions, dismissed = _case(rng)
        text = "x" * length
        bulk = DocumentState(1, text, "pending", spans, suggestions, dismissed)
        single = DocumentState(1, text, "pending", spans, suggestions, dismissed)
        accepted = [Item(p.start, p.end, p.label, p.origin, p.score) for p in bulk.pending.values()]
        if rng.random() < 0.5:  # else in the order shown, as `a` accepts them
            rng.shuffle(accepted)
        together = bulk.add_spans(accepted)
        apart = single.add_spans([])
        for item in accepted:
            apart.extend(single.add_span(item))
        assert bulk.spans == single.spans and bulk.items() == single.items()
        assert bulk.pending == single.pending
        assert sorted(together.added) == sorted(apart.added) and sorted(together.removed) == sorted(apart.removed)
        assert bulk.overlapping_spans(0, length) == single.overlapping_spans(0, length)
        assert [bulk.item_at(k) for k in range(length)] == [single.item_at(k) for k in range(length)]
