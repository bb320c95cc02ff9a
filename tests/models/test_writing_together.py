"""store.writing_together: several committing store calls become one transaction (all or nothing)."""
from __future__ import annotations

import pytest

from models import store
from models.errors import OverlapError


@pytest.fixture
def doc(project):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text="Angela Merkel visited Paris.")], session=s)
    return 1


def spans(project):
    with project.session() as s:
        return [(a, b, lab) for _i, a, b, lab, _o, _sc in store.span_tuples(1, session=s, annotator="ann")]


def test_the_calls_are_invisible_to_other_readers_until_the_block_ends(project, doc):
    with store.writing_together(project.engine) as s:
        store.add_span(doc, 0, 13, "PERSON", session=s, annotator="ann")     # commits: only a savepoint
        store.dismiss_suggestion(doc, 22, 27, "GPE", session=s, annotator="ann")
        assert spans(project) == []                                         # another connection sees nothing yet
    assert spans(project) == [(0, 13, "PERSON")]
    with project.session() as s:
        assert store.dismissals_of(doc, session=s, annotator="ann") == {(22, 27, "GPE")}
        assert store.get_annotation(doc, session=s, annotator="ann").version == 2


def test_an_error_in_a_later_call_rolls_back_the_earlier_ones(project, doc):
    with pytest.raises(OverlapError), store.writing_together(project.engine) as s:
        store.dismiss_suggestion(doc, 22, 27, "GPE", session=s, annotator="ann")
        store.add_span(doc, 0, 13, "PERSON", session=s, annotator="ann")
        store.add_span(doc, 7, 20, "PERSON", session=s, annotator="ann")    # overlaps: refused
    assert spans(project) == []
    with project.session() as s:
        assert store.dismissals_of(doc, session=s, annotator="ann") == set()
        assert store.get_annotation(doc, session=s, annotator="ann") is None
