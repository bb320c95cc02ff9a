"""The store functions the window's undo commands use (headless), and the dismissal migration."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models import store
from models.db.tables import Event
from models.errors import OverlapError

pytestmark = pytest.mark.backends


def _doc(project, text="Li Qiang met Putin in Moscow."):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=text)], session=s)
    return 1


def test_decide_adds_and_removes_spans_in_one_transaction(project):
    doc = _doc(project)
    who = {"annotator": project.annotator}
    with project.writing() as s:
        written = store.decide(
            doc,
            "accepted",
            session=s,
            add_spans=[(0, 8, "PERSON", "model", 0.9), (22, 28, "GPE", "pattern", None)],
            **who,
        )
    assert written.version == 1 and [a.origin for a in written.added] == ["model", "pattern"]
    with project.writing() as s:
        store.decide(doc, "pending", session=s, remove_spans=[(0, 8), (22, 28)], **who)
    with project.session() as s:
        assert store.span_tuples(doc, session=s, **who) == []
        assert store.get_annotation(doc, session=s, **who).status == "pending"


def test_decide_refuses_an_overlap_and_writes_nothing(project):
    doc = _doc(project)
    who = {"annotator": project.annotator}
    with project.writing() as s:
        store.add_span(doc, 0, 8, "PERSON", session=s, **who)
    with project.writing() as s, pytest.raises(OverlapError):
        store.decide(doc, "accepted", session=s, add_spans=[(3, 12, "ORG", "model", None)], **who)
    with project.session() as s:
        assert store.get_annotation(doc, session=s, **who).status == "pending"
        assert [t[1:4] for t in store.span_tuples(doc, session=s, **who)] == [(0, 8, "PERSON")]


def test_dismissals_are_stored_per_annotator_and_can_be_restored(project):
    doc = _doc(project)
    with project.writing() as s:
        store.dismiss_suggestion(doc, 22, 28, "GPE", session=s, annotator="ann")
    with project.session() as s:
        assert store.dismissals_of(doc, session=s, annotator="ann") == {(22, 28, "GPE")}
        assert store.dismissals_of(doc, session=s, annotator="other") == set()
    with project.writing() as s:
        store.restore_suggestion(doc, 22, 28, "GPE", session=s, annotator="ann")
    with project.session() as s:
        assert store.dismissals_of(doc, session=s, annotator="ann") == set()
        actions = [e.action for e in s.exec(select(Event).order_by(Event.id)).all()]
    assert actions[-2:] == ["dismiss_suggestion", "restore_suggestion"]


def test_last_decision_skips_reopened_documents(project):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=t) for t in ("one", "two")], session=s)
    who = {"annotator": project.annotator}
    for doc, status in [(1, "accepted"), (2, "rejected"), (2, "pending")]:
        with project.writing() as s:
            store.decide(doc, status, session=s, **who)
    with project.session() as s:
        assert store.last_decision(session=s, **who) == 1


def test_migrations_match_the_tables(project):
    from models.db.engine import schema_differences

    with project.engine.connect() as conn:
        assert schema_differences(conn) == []


def test_span_tuples_come_in_reading_order_whatever_order_they_were_stored_in(project):
    """The window's spans are read unsorted by the database and put in order by `span_tuples`."""
    doc = _doc(project)
    who = {"annotator": project.annotator}
    for start, end, label in [(22, 28, "GPE"), (0, 8, "PERSON"), (13, 18, "PERSON")]:
        with project.writing() as s:
            store.add_span(doc, start, end, label, session=s, **who)
    with project.session() as s:
        rows = store.span_tuples(doc, session=s, **who)
    assert [r[1:5] for r in rows] == [(0, 8, "PERSON", "human"), (13, 18, "PERSON", "human"), (22, 28, "GPE", "human")]
    assert all(type(r) is tuple and len(r) == 6 and r[5] is None for r in rows)
    assert [r[0] for r in rows] == [2, 3, 1]  # each row keeps its own id
