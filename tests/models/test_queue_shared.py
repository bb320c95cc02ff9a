"""The one queue function, extended for a team: with overlap k it offers only documents fewer than k others hold
and claims the one it returns; in review order it goes to the next document whose annotators differ."""

from __future__ import annotations

import sqlite3

from models import queue, store
from models.settings import set_overlap
from models.team import GOLD
from tests.models.team_support import ALICE, BOB, DOC1, DOC2, annotate


def nxt(project, name: str, after: int | None = None) -> int | None:
    with project.writing() as s:
        step = queue.next_document(session=s, annotator=name, after=after, overlap=project.config.overlap)
    return step.document_id if step else None


def claims(project) -> list[tuple[int, str]]:
    con = sqlite3.connect(project.database_path)
    try:
        return con.execute("select document_id, annotator from claim order by document_id, annotator").fetchall()
    finally:
        con.close()


def test_overlap_two_gives_each_document_to_two_annotators_at_most(project):
    """Four documents; alice and bob decided the first. carol is given the second (the first is full), dave the
    second too (one place left), erin the third; carol asking again keeps her claim on the second."""
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=f"Document number {i}.") for i in range(4)], session=s)
        for who in ("alice", "bob"):
            store.decide(1, "accepted", session=s, annotator=who)
    set_overlap(project, 2)
    project.refresh()
    assert project.config.overlap == 2
    assert nxt(project, "carol") == 2
    assert nxt(project, "dave") == 2
    assert nxt(project, "erin") == 3
    assert claims(project) == [(2, "carol"), (2, "dave"), (3, "erin")]
    assert nxt(project, "carol") == 2  # her own claim does not count against her
    # alice decided the first: she is offered the second? it is full (carol, dave): the third
    assert nxt(project, "alice", after=1) == 3


def test_a_claim_that_expired_frees_the_place(project):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text="Only one.")], session=s)
    with project.writing() as s:
        assert store_claim(s, "carol", minutes=-1)  # expired at once (a desktop that died long ago)
    with project.writing() as s:
        step = queue.next_document(session=s, annotator="dave", after=None, overlap=1)
    assert step is not None and step.document_id == 1


def store_claim(session, who, minutes):
    from models.store.claims import claim

    return claim(1, session=session, annotator=who, overlap=1, minutes=minutes)


def test_review_order_goes_to_documents_whose_annotators_differ(project):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=t) for t in (DOC1, "Both agree here.", DOC2, "Alone.")], session=s)
    annotate(project, "alice", {**ALICE, "Both agree here.": [(0, 4, "ORG")]})
    annotate(project, "bob", {**BOB, "Both agree here.": [(0, 4, "ORG")]})
    with project.session() as s:
        first = queue.next_document(session=s, annotator=GOLD, after=None, order="review")
        second = queue.next_document(session=s, annotator=GOLD, after=first.document_id, order="review")
        wrapped = queue.next_document(session=s, annotator=GOLD, after=second.document_id, order="review")
    assert (first.document_id, second.document_id) == (1, 3)  # "Both agree here." needs no review
    assert wrapped.document_id == 1 and wrapped.wrapped
    with project.writing() as s:
        store.decide(1, "accepted", session=s, annotator=GOLD)
        store.decide(3, "accepted", session=s, annotator=GOLD)
    with project.session() as s:
        assert queue.next_document(session=s, annotator=GOLD, after=None, order="review") is None


def test_most_uncertain_first_in_shared_work_claims_in_that_order(project):
    """overlap 1: carol is given the most uncertain document and holds it; dave is given the next most uncertain."""
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=f"Document number {i}.") for i in range(4)], session=s)
        store.store_suggestions_bulk([(2, []), (3, []), (4, [])], "m@1", session=s, uncertainty=[0.5, 0.9, 0.2])
        s.commit()
    set_overlap(project, 1)
    project.refresh()

    def unsure(name):
        with project.writing() as s:
            step = queue.next_document(
                session=s, annotator=name, after=None, order="uncertain", model_key="m@1", overlap=1
            )
        return step.document_id if step else None

    assert unsure("carol") == 3
    assert unsure("dave") == 2
    assert unsure("erin") == 4
    assert unsure("frank") == 1  # not scored: last
    assert unsure("gina") is None  # every document is held by someone
    assert claims(project) == [(1, "frank"), (2, "dave"), (3, "carol"), (4, "erin")]
