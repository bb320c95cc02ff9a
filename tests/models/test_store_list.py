"""The document list's store queries: Unicode-aware search and a document's row under filters."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import store

pytestmark = pytest.mark.backends
MODELS = itertools.count(1)

TEXTS = [
    "Émile Zola wrote Germinal.",
    "Die Straße in Köln.",
    "DIE STRASSE IN KÖLN.",
    "Ein ẞ-Schild.",
    "Plain ascii Emile.",
]


def _ids(project, search):
    filters = store.ListFilters(search=search)
    with project.session() as s:
        rows = store.document_rows(session=s, annotator=project.annotator, filters=filters)
        assert store.count_documents(session=s, annotator=project.annotator, filters=filters) == len(rows)
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


def test_a_document_is_listed_under_filters_by_its_key(project):
    with project.writing() as s:
        store.add_documents(
            [store.NewDocument(text=f"{'Berlin' if i % 3 == 0 else 'Paris'} {i}") for i in range(30)], session=s
        )
    with project.writing() as s:
        store.set_status(10, "rejected", session=s, annotator=project.annotator)
    with project.session() as s:

        def key(doc_id, **filters):
            return store.listed_key(
                doc_id, session=s, annotator=project.annotator, filters=store.ListFilters(**filters)
            )

        assert key(1) == (0, 1) and key(30) == (29, 30)
        assert key(28, search="berlin") == (27, 28)
        assert key(2, search="berlin") is None  # hidden by the search
        assert key(12, status="pending") == (11, 12)
        assert key(10, status="pending") is None
        assert key(10, status="rejected") == (9, 10)
        assert key(999) is None  # not in the project


def test_pages_by_key_neither_skip_nor_repeat_while_decisions_shrink_the_filter(project):
    """An OFFSET over "pending" skips as many documents as were decided since the last page; a key does not."""
    who = {"annotator": project.annotator}
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=f"Doc {i} in Berlin") for i in range(25)], session=s)
    pending = store.ListFilters(status="pending")
    seen, after = [], None
    while True:
        with project.session() as s:
            page = store.document_rows(session=s, filters=pending, after=after, limit=10, **who)
        if not page:
            break
        for row in page:  # decide each row of the page before reading the next page
            with project.writing() as s:
                store.set_status(row.id, "accepted", session=s, **who)
        seen += [r.id for r in page]
        after = page[-1].key
    assert seen == list(range(1, 26))


def test_a_refreshed_list_keeps_the_document_on_screen_that_the_filter_now_hides(project):
    who = {"annotator": project.annotator}
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=f"Doc {i}") for i in range(5)], session=s)
    with project.writing() as s:
        store.set_status(3, "accepted", session=s, **who)
    pending = store.ListFilters(status="pending")
    with project.session() as s:
        assert [r.id for r in store.document_rows(session=s, filters=pending, **who)] == [1, 2, 4, 5]
        kept = store.document_rows(session=s, filters=pending, keep=3, **who)
        assert [(r.id, r.status) for r in kept][1:4] == [(2, "pending"), (3, "accepted"), (4, "pending")]
        through = store.document_rows(session=s, filters=pending, through=(3, 4), limit=None, **who)
        assert [r.id for r in through] == [1, 2, 4]


def test_the_newest_change_moves_with_decisions_and_imports(project):
    who = {"annotator": project.annotator}
    with project.session() as s:
        empty = store.newest_change(session=s)
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=f"Doc {i}") for i in range(3)], session=s)
    with project.session() as s:
        imported = store.newest_change(session=s)
        assert imported.document == 3 and imported > empty
        assert store.project_events_since(empty.event, session=s)  # the list must be read again
        assert store.changed_documents(imported.event, session=s, **who) == {}
    with project.writing() as s:
        store.set_status(2, "rejected", session=s, **who)
    with project.session() as s:
        decided = store.newest_change(session=s)
        assert decided.event > imported.event and decided.document == 3
        assert not store.project_events_since(imported.event, session=s)
        assert store.changed_documents(imported.event, session=s, **who) == {2: "rejected"}
        assert store.changed_documents(imported.event, session=s, annotator="bob") == {}


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


def test_most_uncertain_first_pages_by_key_and_is_the_queue_order(project):
    from models.doclist import read_page
    from models.queue import next_document, upcoming

    with project.writing() as s:
        store.add_documents([store.NewDocument(text=f"Document number {i}.") for i in range(1, 9)], session=s)
        ids = store.document_ids(session=s)
        # ties (0.5 twice) go in project order; documents 2 and 8 are not scored, 7 is scored under another model
        scored = {1: 0.5, 3: 0.9, 4: 0.5, 5: 0.1, 6: 0.7}
        store.store_suggestions_bulk(
            [(ids[k - 1], []) for k in scored], "m@1", session=s, uncertainty=list(scored.values())
        )
        store.store_suggestions_bulk([(ids[6], [])], "other@1", session=s, uncertainty=[0.99])
        s.commit()
    expected = [ids[k - 1] for k in (3, 6, 1, 4, 5, 2, 7, 8)]
    filters = store.ListFilters(order="uncertain", model="m@1")
    who = project.annotator
    with project.session() as s:
        paged, after = [], None
        while True:  # two rows a page, each after the last one's key
            rows = store.document_rows(session=s, annotator=who, filters=filters, after=after, limit=2)
            if not rows:
                break
            paged += [r.id for r in rows]
            after = rows[-1].key
        assert paged == expected
        key = store.listed_key(ids[3], session=s, annotator=who, filters=filters)
        through = store.document_rows(session=s, annotator=who, filters=filters, through=key, limit=None)
        assert [r.id for r in through] == expected[:4]
    page = read_page(project, filters, reach=ids[4])  # reaching a document loads the rows down to it
    assert [r.id for r in page.rows] == expected and page.exhausted
    with project.writing() as s:  # deciding the two most uncertain: the queue takes the third, as listed
        for doc in expected[:2]:
            store.set_status(doc, "accepted", session=s, annotator=who)
    with project.session() as s:
        step = next_document(session=s, annotator=who, after=expected[1], order="uncertain", model_key="m@1")
        assert step is not None and step.document_id == expected[2] and not step.wrapped
        assert upcoming(session=s, annotator=who, order="uncertain", model_key="m@1", limit=3) == expected[2:5]
        pending = store.ListFilters(status="pending", order="uncertain", model="m@1")
        rows = store.document_rows(session=s, annotator=who, filters=pending, limit=None)
        assert [r.id for r in rows] == expected[2:]
        assert store.count_documents(session=s, annotator=who, filters=pending) == 6
    with pytest.raises(ValueError, match="unknown list order"):
        store.ListFilters(order="random")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ranks=st.lists(st.sampled_from([None, "absent", 0.0, 0.25, 0.5, 0.5, 0.9, 1.0]), min_size=12, max_size=12),
    page=st.integers(1, 5),
)
def test_most_uncertain_first_in_any_mix_of_scores_ties_and_unscored_pages_like_a_sort(project, ranks, page):
    """Every page after a key, every read through a key and every "next to do" agree with sorting the documents
    by (most uncertain, position, id), unscored ones (no suggestion, or one without an uncertainty) last."""
    who = project.annotator
    with project.writing() as s:
        if not store.document_ids(session=s):
            store.add_documents([store.NewDocument(text=f"Document number {i}.") for i in range(12)], session=s)
        ids = store.document_ids(session=s)
        model = f"m@{next(MODELS)}"  # a new model key each example: nothing left from the one before
        items = [(ids[i], r) for i, r in enumerate(ranks) if r != "absent"]
        store.store_suggestions_bulk([(d, []) for d, _r in items], model, session=s, uncertainty=[r for _d, r in items])
        s.commit()
    rank = {ids[i]: (r if isinstance(r, float) else -1.0) for i, r in enumerate(ranks)}
    expected = sorted(ids, key=lambda d: (-rank[d], ids.index(d), d))
    filters = store.ListFilters(order="uncertain", model=model)
    with project.session() as s:
        paged, after = [], None
        while True:
            rows = store.document_rows(session=s, annotator=who, filters=filters, after=after, limit=page)
            if not rows:
                break
            assert len(rows) <= page
            paged += [r.id for r in rows]
            after = rows[-1].key
        assert paged == expected
        for n, doc in enumerate(expected):
            key = store.listed_key(doc, session=s, annotator=who, filters=filters)
            through = store.document_rows(session=s, annotator=who, filters=filters, through=key, limit=None)
            assert [r.id for r in through] == expected[: n + 1]
            between = store.document_rows(session=s, annotator=who, filters=filters, after=key, through=key)
            assert between == []
            later = store.next_to_do(session=s, annotator=who, filters=filters, after=key, skip=None)
            assert later == (expected[n + 1] if n + 1 < len(expected) else None)
        for skip in expected:  # "next to do" from the top passes over the one it is told to skip
            found = store.next_to_do(session=s, annotator=who, filters=filters, after=None, skip=skip)
            assert found == next(d for d in expected if d != skip)
