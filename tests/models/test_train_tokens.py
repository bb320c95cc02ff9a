"""Training on the tokens a file brought: a CoNLL file whose tokens are not spaCy's (`dont`, `gotta`, `@` `Nike`
without a space) trains on exactly those tokens, and its entities are neither moved nor dropped."""

from __future__ import annotations

from dataclasses import replace

import pytest
import spacy

from models import store
from models.store.training import training_documents
from models.tokens import bounds
from models.train import TrainOptions, train_project
from models.train import loop as train_loop
from models.train.data import prepare

pytestmark = pytest.mark.slow

ORGS = ["Nike", "Adidas", "Puma", "Reebok", "Fila", "Asics"]
CITIES = ["Paris", "Rome", "Oslo", "Bern", "Lima", "Kyiv"]


def _sentence(i: int) -> list[tuple[str, str, str]]:
    """(token, tag, +/-: a space after it or not): flair's whitespace column, as a real CoNLL corpus has it."""
    a, b, c = ORGS[i % 6], ORGS[(i + 1) % 6], CITIES[i % 6]
    return [
        ("I", "O", "+"),
        ("dont" if i % 2 else "gotta", "O", "+"),
        ("see", "O", "+"),
        ("@", "O", "-"),  # "@Nike": one token for spaCy
        (a, "B-ORG", "+"),
        ("in", "O", "+"),
        (c, "B-LOC", "-"),  # "Paris2024": one token for spaCy
        (str(2020 + i), "O", "+"),
        ("or", "O", "+"),
        (b, "B-ORG", "-"),  # "NikeAdidas": two entities in one spaCy token
        (a, "B-ORG", "+"),
        ("soon", "O", "-"),
        (".", "O", "+"),
    ]


@pytest.fixture
def imported(make_project, cli, tmp_path):
    project = make_project(labels=("ORG", "LOC"))
    path = tmp_path / "tweets.conll"
    path.write_text(
        "\n\n".join("\n".join(" ".join(t) for t in _sentence(i)) for i in range(12)) + "\n", encoding="utf-8"
    )
    code, _out, err = cli("import", project.folder, path, "--format", "conll")
    assert code == 0, err
    with project.writing() as s:  # the annotator accepts every document as imported
        for doc_id in store.document_ids(session=s):
            store.set_status(doc_id, "accepted", session=s, annotator=project.annotator)
    return project


def test_training_sees_the_imported_tokens_and_keeps_every_entity_on_them(imported, monkeypatch):
    with imported.session() as s:
        read = training_documents(session=s)
        expected = {}
        for d in read.documents:
            words = [d.text[a:b] for a, b in bounds(d.tokens, len(d.text))]
            expected[d.text] = (words, sorted((d.text[a:b], lab) for a, b, lab in d.spans))
    assert len(expected) == 12 and all(len(e[1]) == 4 for e in expected.values())
    seen = {}
    real_run = train_loop.run

    def spy(nlp, optimizer, train, dev, **kw):  # what spaCy's training loop is given, then the real loop
        for eg in [*train, *dev]:
            ref = eg.reference
            seen[ref.text] = (
                [t.text for t in ref],
                [t.text for t in eg.predicted],
                sorted((e.text, e.label_) for e in ref.ents),
            )
        return real_run(nlp, optimizer, train, dev, **kw)

    monkeypatch.setattr(train_loop, "run", spy)
    result = train_project(imported, TrainOptions(max_steps=30, eval_frequency=10, curve=False))
    assert set(seen) == set(expected)  # training and evaluation documents alike
    for text, (words, ents) in expected.items():
        ref_words, predicted_words, ref_ents = seen[text]
        assert ref_words == words and predicted_words == words, text  # "dont", "@", "Nike": the file's tokens
        assert ref_ents == ents, text  # every entity, none moved or dropped
    assert "gotta" in seen[next(t for t in seen if "gotta" in t)][0]
    notes = " ".join(result.notes)
    assert "grown to whole tokens" not in notes and "left out" not in notes
    # the same documents through spaCy's tokenizer would have lost entities: the tokens are what keeps them
    retokenized = prepare(spacy.blank("en"), [replace(d, tokens=None) for d in read.documents], held_out=set())
    assert retokenized.moved > 0 and retokenized.dropped > 0
