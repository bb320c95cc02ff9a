"""The document list's store queries: Unicode-aware search and a document's row under filters."""

from __future__ import annotations

import pytest

from models import store

pytestmark = pytest.mark.backends

TEXTS = [
    "Émile Zola wrote Germinal.",
    "Die Straße in Köln.",
    "DIE STRASSE IN KÖLN.",
    "Ein ẞ-Schild.",
    "Plain ascii Emile.",
]


def _ids(project, search):
    with project.session() as s:
        rows = store.document_rows(session=s, annotator=project.annotator, search=search)
        assert store.count_documents(session=s, annotator=project.annotator, search=search) == len(rows)
    return [r.id for r in rows]


def test_search_folds_case_beyond_ascii(project):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=t) for t in TEXTS], session=s)
    assert _ids(project, "émile") == [1]  # SQLite's lower() leaves 'É' alone
    assert _ids(project, "ÉMILE ZOLA") == [1]
    assert _ids(project, "emile") == [5]  # folding case is not stripping accents
    assert _ids(project, "köln") == [2, 3]
    assert _ids(project, "straße") == [2, 3]  # ß and SS fold to the same 'ss'
    assert _ids(project, "STRASSE") == [2, 3]
    assert _ids(project, "ß-schild") == [4]  # capital ẞ folds too


def test_row_of_a_document_under_filters(project):
    with project.writing() as s:
        store.add_documents(
            [store.NewDocument(text=f"{'Berlin' if i % 3 == 0 else 'Paris'} {i}") for i in range(30)], session=s
        )
    with project.writing() as s:
        store.set_status(10, "rejected", session=s, annotator=project.annotator)
    with project.session() as s:

        def row(doc_id, **filters):
            return store.filtered_row_of(doc_id, session=s, annotator=project.annotator, **filters)

        assert row(1) == 0 and row(30) == 29
        assert row(28, search="berlin") == 9  # documents 1, 4, ..., 28: the tenth Berlin
        assert row(2, search="berlin") is None  # hidden by the search
        assert row(12, status="pending") == 10  # document 10 is rejected: one fewer before 12
        assert row(10, status="pending") is None
        assert row(10, status="rejected") == 0
        assert row(999) is None  # not in the project
        for doc_id, filters in [(28, {"search": "berlin"}), (12, {"status": "pending"})]:
            listed = store.document_rows(session=s, annotator=project.annotator, limit=100, **filters)
            assert listed[row(doc_id, **filters)].id == doc_id


def test_search_is_a_plain_substring_whatever_the_characters(project):
    texts = ["100% sure", "1000 sure", "snake_case name", "snakeXcase name", 'say "hi" now', "back\\slash", "a b"]
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=t) for t in texts], session=s)
    assert _ids(project, "0% s") == [1]  # % and _ are characters, not LIKE wildcards
    assert _ids(project, "e_c") == [3]
    assert _ids(project, '"hi"') == [5]  # quotes are not FTS5 syntax either
    assert _ids(project, "k\\s") == [6]
    assert _ids(project, "%") == [1]  # one or two characters: too short for trigrams, same answer
    assert _ids(project, "_") == [3]
    assert _ids(project, "a b") == [7]
    assert _ids(project, "SU") == [1, 2]
    assert _ids(project, "nothing like it") == []


def test_search_finds_documents_imported_in_later_batches(project):
    """The index is kept up to date by every import, not built once."""
    for batch in range(3):
        with project.writing() as s:
            store.add_documents([store.NewDocument(text=f"batch {batch} item {i}") for i in range(5)], session=s)
    assert _ids(project, "batch 2 item 4") == [15]
    assert len(_ids(project, "item 3")) == 3
