"""The queue: "next document" after a decision, in the list the annotator is working through."""

from __future__ import annotations

import pytest

from models import queue, store
from models.store import ListFilters


@pytest.fixture
def ten(project):
    with project.writing() as s:
        store.add_documents(
            [store.NewDocument(text=f"Doc {i} about {'Berlin' if i % 2 else 'Paris'}") for i in range(10)], session=s
        )
    return project


def decide(project, doc, status="accepted", annotator=None):
    with project.writing() as s:
        store.set_status(doc, status, session=s, annotator=annotator or project.annotator)


def nxt(project, after, annotator=None, **filters):
    with project.session() as s:
        return queue.next_document(
            session=s, annotator=annotator or project.annotator, after=after, filters=ListFilters(**filters)
        )


def test_next_is_the_next_pending_below_then_from_the_top(ten):
    assert nxt(ten, None) == queue.NextDocument(1)
    decide(ten, 4)
    decide(ten, 5)
    assert nxt(ten, 3) == queue.NextDocument(6)  # 4 and 5 are done
    for doc in (7, 8, 9, 10):
        decide(ten, doc)
    assert nxt(ten, 6) == queue.NextDocument(1, wrapped=True)  # nothing below: back to the top
    assert nxt(ten, 1) == queue.NextDocument(2)  # the current document is never its own next


def test_only_when_nothing_is_pending_is_there_no_next(ten):
    for doc in range(1, 11):
        if doc != 3:
            decide(ten, doc, "rejected" if doc % 3 else "ignored")
    assert nxt(ten, 10) == queue.NextDocument(3, wrapped=True)
    decide(ten, 3)
    assert nxt(ten, 3) is None
    assert nxt(ten, 3, annotator="bob") == queue.NextDocument(4)  # another annotator's queue is their own


def test_next_stays_in_the_list_the_filters_show(ten):
    assert nxt(ten, 2, search="berlin") == queue.NextDocument(4)  # documents 2, 4, 6, 8, 10 mention Berlin
    assert nxt(ten, 10, search="berlin") == queue.NextDocument(2, wrapped=True)
    decide(ten, 5, "rejected")
    decide(ten, 8, "rejected")
    decide(ten, 2, "rejected")
    # reviewing the rejected documents: the next one is the next rejected one, not a pending one
    assert nxt(ten, 2, status="rejected") == queue.NextDocument(5)
    decide(ten, 5, "accepted")
    assert nxt(ten, 5, status="rejected") == queue.NextDocument(8)
    assert nxt(ten, 8, status="rejected") == queue.NextDocument(2, wrapped=True)


def test_an_unknown_order_is_refused(ten):
    with ten.session() as s, pytest.raises(ValueError, match="unknown queue order 'shuffled'"):
        queue.next_document(session=s, annotator="ann", after=None, order="shuffled")


def test_progress_counts_what_is_left_in_the_list(ten):
    decide(ten, 2)
    decide(ten, 3, "rejected")
    with ten.session() as s:
        assert queue.progress(session=s, annotator="ann") == queue.Progress(to_do=8, total=10)
        berlin = queue.progress(session=s, annotator="ann", filters=ListFilters(search="berlin"))
        assert (berlin.to_do, berlin.done, berlin.total) == (4, 1, 5)
