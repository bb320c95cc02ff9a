"""Renaming a label carries the cached suggestions to the new labels' cache key, renamed, in the rename's own
transaction: nothing cached keeps the old name, and no document has to go through spaCy again. Where the renamed
labels could make the suggester keep entities it dropped before (its own label of the new name), the cache is
not carried and the suggestions are made again."""

from __future__ import annotations

import pytest
from suggest_support import add_texts, configure, save_pipeline, stored, write_patterns

from models import labels, store
from models.suggest import load_suggester, model_key, suggest_documents

pytestmark = pytest.mark.backends

TEXT = "Ada Lovelace met Acme Corp in Paris on Monday with Rex."
#       0           12  16        26 29   34 38    45   50 53


@pytest.fixture
def suggested(make_project):
    """A project whose pipeline folder and pattern file found entities in two documents, cached."""
    project = make_project(labels=("PERSON", "ORG", "GPE"))
    save_pipeline(project.folder / "pipe")
    write_patterns(project.folder / "p.jsonl", [{"label": "ORG", "pattern": "board"}])
    project = configure(project, pipeline="./pipe", patterns=["p.jsonl"])
    docs = add_texts(project, [TEXT, "The board met Ada Lovelace."])
    assert suggest_documents(project, load_suggester(project), scores=False) == 2
    return project, docs


def labels_of(project, key, doc):
    return [(s["start"], s["label"], s["origin"]) for s in stored(project, key, doc) or []]


def test_rename_carries_the_cache_to_the_new_key_with_the_new_name(suggested):
    project, (first, second) = suggested
    old_key = model_key(project)
    assert labels_of(project, old_key, first) == [(0, "PERSON", "model"), (17, "ORG", "model"), (30, "GPE", "model")]

    labels.rename_label(project, "ORG", "COMPANY")
    new_key = model_key(project)
    assert new_key != old_key
    assert labels_of(project, new_key, first) == [
        (0, "PERSON", "model"),
        (17, "COMPANY", "model"),
        (30, "GPE", "model"),
    ]
    assert labels_of(project, new_key, second) == [(4, "COMPANY", "pattern"), (14, "PERSON", "model")]
    assert stored(project, old_key, first) is None  # nothing is left under the old name
    # exactly what the suggester makes under the new labels: nothing is left to compute
    assert suggest_documents(project, load_suggester(project), scores=False) == 0
    fresh = load_suggester(project)
    assert [sorted((s["start"], s["label"]) for s in spans) for spans in fresh.suggest([TEXT])] == [
        sorted((s, lab) for s, lab, _o in labels_of(project, new_key, first))
    ]

    labels.rename_label(project, "COMPANY", "ORG")  # Ctrl+Z in the window
    back_key = model_key(project)
    assert labels_of(project, back_key, first)[1] == (17, "ORG", "model")
    assert stored(project, new_key, first) is None
    assert suggest_documents(project, load_suggester(project), scores=False) == 0


def test_a_cache_under_the_new_key_already_is_replaced(suggested):
    project, (first, _second) = suggested
    old_key = model_key(project)
    labels.rename_label(project, "ORG", "COMPANY")
    new_key = model_key(project)
    labels.rename_label(project, "COMPANY", "ORG")
    # a desktop that still had the renamed labels cached this document under the renamed key meanwhile
    with project.writing() as s:
        store.store_suggestions(
            first, new_key, [{"start": 0, "end": 3, "label": "COMPANY", "origin": "model"}], session=s
        )
        s.commit()
    labels.rename_label(project, "ORG", "COMPANY")
    assert labels_of(project, new_key, first)[1] == (17, "COMPANY", "model")
    assert stored(project, old_key, first) is None


def test_a_name_the_suggester_itself_uses_makes_new_suggestions(suggested):
    """The test pipeline finds ANIMAL ("Rex"), dropped while ANIMAL is no project label; renamed to ANIMAL, ORG
    would let it through: the old cache is not the new labels' suggestions, so it is not carried."""
    project, (first, _second) = suggested
    old_key = model_key(project)
    labels.rename_label(project, "ORG", "ANIMAL")
    new_key = model_key(project)
    assert stored(project, new_key, first) is None
    assert suggest_documents(project, load_suggester(project), scores=False) == 2
    assert (51, "ANIMAL", "model") in labels_of(project, new_key, first)
    assert (17, "ANIMAL", "model") in labels_of(project, new_key, first)
    assert labels_of(project, old_key, first)[1] == (17, "ORG", "model")  # the old cache stays, as for any change
