"""A per-document comment and flag: stored with an event that bumps the annotation's version, filtered on in
the list (anyone's flag), exported in meta."""

from __future__ import annotations

import json

import pytest

from models import store
from models.errors import StaleAnnotationError, TagdeskError
from models.formats import export_project, get_format


@pytest.fixture
def docs(project):
    with project.writing() as s:
        store.add_documents(
            [store.NewDocument(text=t, meta={"id": i}) for i, t in enumerate(["One.", "Two.", "Three."])], session=s
        )
    return project


def test_note_is_stored_with_its_event_and_a_new_version(docs):
    with docs.writing() as s:
        written = store.set_note(2, "Is this a company?", "unsure", session=s, annotator="ann")
        assert store.note_of(2, session=s, annotator="ann") == store.DocumentNote("Is this a company?", "unsure")
        assert written.version == store.annotation_version(2, session=s, annotator="ann") == 1
        with pytest.raises(StaleAnnotationError):
            store.set_note(2, "", None, session=s, annotator="ann", expected_version=0)
        with pytest.raises(TagdeskError, match="flag 'maybe' is not one of unsure, needs review"):
            store.set_note(2, "", "maybe", session=s, annotator="ann")
    with docs.session() as s:
        events = [(e.action, e.document_id, e.payload) for e in s.exec(store_event_query()).all()]
    assert events[-1][:2] == ("set_note", 2)
    assert events[-1][2]["comment"] == "Is this a company?" and events[-1][2]["before"] == {"comment": "", "flag": None}


def store_event_query():
    from sqlmodel import select

    from models.db.tables import Event

    return select(Event).order_by(Event.id)


def test_flag_filter_finds_anyones_flags(docs):
    with docs.writing() as s:
        store.set_note(1, "", "needs review", session=s, annotator="bea")
        store.set_note(3, "check", "unsure", session=s, annotator="ann")
    with docs.session() as s:

        def ids(flag):
            return [r.id for r in store.document_rows(session=s, annotator="ann", filters=store.ListFilters(flag=flag))]

        assert ids(store.ANY_FLAG) == [1, 3]  # ann's list shows bea's flag too
        assert ids("unsure") == [3]
        flagged = store.ListFilters(flag="needs review")
        assert store.count_documents(session=s, annotator="ann", filters=flagged) == 1


def test_comment_and_flag_are_exported_in_meta(docs, tmp_path):
    with docs.writing() as s:
        store.set_status(1, "accepted", session=s, annotator="ann")
        store.set_note(1, "tricky one", "needs review", session=s, annotator="ann")
    out = tmp_path / "out.jsonl"
    export_project(docs, get_format("jsonl"), out)
    task = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert task["meta"]["comment"] == "tricky one" and task["meta"]["flag"] == "needs review"
    assert task["meta"]["id"] == 0
