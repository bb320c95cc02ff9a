"""The store: decisions are committed with their event, versions catch stale edits, overlaps are refused."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models import store
from models.db.tables import Event
from models.errors import OverlapError, StaleAnnotationError
from tests.dbtools import raw_rows

pytestmark = pytest.mark.backends


@pytest.fixture
def doc_id(project):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text="Li Qiang met Vladimir Putin in Moscow.")], session=s)
        return store.document_rows(session=s, annotator="ann")[0].id


def raw(project, sql):
    return raw_rows(project, sql)


def test_sqlite_is_wal_with_busy_timeout(tmp_path):
    from models.project import new_project

    project = new_project(tmp_path / "p", ["PERSON"], annotator="ann")
    with project.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    project.close()


def test_add_span_is_committed_with_its_event(project, doc_id):
    with project.writing() as s:
        span = store.add_span(doc_id, 0, 8, "PERSON", session=s, annotator="ann").span
    # seen from another connection: it is on disk, with the event in the same commit
    assert raw(project, 'select start, "end", label, origin from span') == [(0, 8, "PERSON", "human")]
    events = raw(project, "select action, document_id from event where document_id is not null")
    assert events == [("add_span", doc_id)]
    with project.writing() as s:
        store.update_span(span.id, label="ORG", session=s, annotator="ann")
        store.remove_span(span.id, session=s, annotator="ann")
    assert raw(project, "select count(*) from span") == [(0,)]
    assert [a for (a,) in raw(project, "select action from event order by id")][-2:] == ["update_span", "remove_span"]


def test_overlapping_spans_are_refused(project, doc_id):
    with project.writing() as s:
        store.add_span(doc_id, 0, 8, "PERSON", session=s, annotator="ann")
        with pytest.raises(OverlapError, match="overlaps the PERSON span at 0-8"):
            store.add_span(doc_id, 3, 12, "ORG", session=s, annotator="ann")
    assert raw(project, "select count(*) from span") == [(1,)]


def test_spans_outside_text_are_refused(project, doc_id):
    with project.writing() as s:
        with pytest.raises(Exception, match="outside the text"):
            store.add_span(doc_id, 30, 99, "GPE", session=s, annotator="ann")


def test_stale_edit_is_detected(project, doc_id):
    with project.writing() as s:
        store.add_span(doc_id, 0, 8, "PERSON", session=s, annotator="ann")
        version = store.get_annotation(doc_id, session=s, annotator="ann").version
    with project.writing() as other:  # "another window"
        store.add_span(doc_id, 13, 27, "PERSON", session=other, annotator="ann", expected_version=version)
    with project.writing() as s:
        with pytest.raises(StaleAnnotationError, match="changed elsewhere"):
            store.set_status(doc_id, "accepted", session=s, annotator="ann", expected_version=version)


def test_accept_adds_suggested_spans_and_status_in_one_transaction(project, doc_id):
    with project.writing() as s:
        store.set_status(
            doc_id,
            "accepted",
            session=s,
            annotator="ann",
            add_spans=[(0, 8, "PERSON", "model", 0.9), (31, 37, "GPE", "model", None)],
            seconds=4.5,
        )
    assert raw(project, "select label, origin, score from span order by start") == [
        ("PERSON", "model", 0.9),
        ("GPE", "model", None),
    ]
    with project.session() as s:
        st = store.stats(session=s, annotator="ann")
        assert st["statuses"]["accepted"] == 1
        assert st["spans_by_label"] == {"GPE": 1, "PERSON": 1}
        # (the project's first labels and settings are project-level events, without a document)
        assert [e.action for e in s.exec(select(Event)).all() if e.document_id or e.action.startswith("import")] == [
            "import_published",
            "set_status",
        ]


def test_document_rows_page_filter_and_search(project):
    with project.writing() as s:
        store.add_documents(
            [store.NewDocument(text=f"Document number {i} about {'Paris' if i % 2 else 'Rome'}") for i in range(450)],
            session=s,
        )
        page = store.document_rows(session=s, annotator="ann", limit=200)
        rows = store.document_rows(session=s, annotator="ann", after=page[-1].key, limit=200)
        assert [r.position for r in rows] == list(range(200, 400))
        paris = store.ListFilters(search="paris")
        assert store.count_documents(session=s, annotator="ann", filters=paris) == 225
        first = rows[0].id
        store.set_status(first, "rejected", session=s, annotator="ann")
        rejected, pending = store.ListFilters(status="rejected"), store.ListFilters(status="pending")
        assert [r.id for r in store.document_rows(session=s, annotator="ann", filters=rejected)] == [first]
        assert store.count_documents(session=s, annotator="ann", filters=pending) == 449


def test_every_decision_returns_the_version_it_wrote(project, doc_id):
    calls = [
        lambda s: store.add_span(doc_id, 0, 8, "PERSON", session=s, annotator="ann"),
        lambda s: store.update_span(
            store.span_at(doc_id, 0, 8, session=s, annotator="ann").id, label="ORG", session=s, annotator="ann"
        ),
        lambda s: store.dismiss_suggestion(doc_id, 13, 27, "PERSON", session=s, annotator="ann"),
        lambda s: store.restore_suggestion(doc_id, 13, 27, "PERSON", session=s, annotator="ann"),
        lambda s: store.decide(
            doc_id, "accepted", add_spans=[(31, 37, "GPE", "model", 0.5)], session=s, annotator="ann"
        ),
        lambda s: store.set_status(doc_id, "rejected", session=s, annotator="ann"),
        lambda s: store.remove_span(
            store.span_at(doc_id, 0, 8, session=s, annotator="ann").id, session=s, annotator="ann"
        ),
    ]
    for expected, call in enumerate(calls, start=1):
        with project.writing() as s:
            written = call(s)
        assert written.version == expected
        assert raw(project, "select version from annotation") == [(expected,)]


def test_times_are_timezone_aware_utc_on_both_backends(project, doc_id):
    from datetime import UTC, datetime, timedelta

    before = datetime.now(UTC)
    with project.writing() as s:
        store.set_status(doc_id, "accepted", session=s, annotator="ann")
    with project.session() as s:
        ann = store.get_annotation(doc_id, session=s, annotator="ann")
        assert ann.updated_at.utcoffset() == timedelta(0)
        assert before - timedelta(seconds=5) <= ann.updated_at <= datetime.now(UTC)
        # "decided today" counts from a local midnight given in any zone
        local = (before - timedelta(hours=1)).astimezone(UTC).astimezone()
        assert store.decided_since(local, session=s, annotator="ann") == 1
        assert store.decided_since(datetime.now(UTC) + timedelta(minutes=1), session=s, annotator="ann") == 0


def test_accepting_thousands_of_suggestions_is_one_decision_and_overlaps_among_them_are_refused(project):
    text = "Ada met Bob. " * 3000  # 39,000 characters, 6,000 names
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=text)], session=s)
    names = [(13 * i, 13 * i + 3, "PERSON", "model", 0.5) for i in range(3000)]
    names += [(13 * i + 8, 13 * i + 11, "PERSON", "pattern", None) for i in range(3000)]
    with project.writing() as s:  # "Bob" of sentence 7 already drawn by hand: a suggestion over it is refused
        store.add_span(1, 13 * 7 + 8, 13 * 7 + 11, "ORG", session=s, annotator="ann")
    with project.writing() as s, pytest.raises(OverlapError, match=r"99-102 overlaps the ORG span at 99-102"):
        store.decide(1, "accepted", add_spans=names, session=s, annotator="ann")
    clashing = [*names[3000:3005], (20, 25, "GPE", "model", 0.9)]  # the second "Bob" (21-24) of the same accept
    with project.writing() as s, pytest.raises(OverlapError, match=r"21-24 overlaps the GPE span at 20-25"):
        store.decide(1, "accepted", add_spans=clashing, session=s, annotator="ann")
    assert raw(project, "select count(*) from span") == [(1,)]  # nothing of either was written
    wanted = [n for n in names if n[0] != 13 * 7 + 8]
    with project.writing() as s:  # the accept that removes the hand-drawn span and takes every suggestion
        written = store.decide(
            1, "accepted", add_spans=wanted + [names[3007]], remove_spans=[(99, 102)], session=s, annotator="ann"
        )
    assert len(written.added) == 6000 and len({sp.id for sp in written.added}) == 6000
    with project.session() as s:
        stored = store.span_tuples(1, session=s, annotator="ann")
    assert sorted((a, b, lab, o, sc) for _i, a, b, lab, o, sc in stored) == sorted(names)
    assert sorted(sp.id for sp in written.added) == sorted(i for i, *_rest in stored)
    with project.writing() as s:  # its undo: every one of them goes again, in one decision
        store.decide(1, "pending", remove_spans=[(a, b) for a, b, *_r in names], session=s, annotator="ann")
    assert raw(project, "select count(*) from span") == [(0,)]
    assert [a for (a,) in raw(project, "select action from event where document_id = 1 order by id")] == [
        "add_span",
        "set_status",
        "set_status",
    ]
