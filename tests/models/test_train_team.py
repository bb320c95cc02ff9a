"""Training a team's project: each document's gold (reviewed) annotation where a reviewer settled it, else what
its annotators accepted alike; documents whose annotators differ unreviewed are left out and counted in the report.
On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from models import store
from models.store.training import training_documents
from models.team import GOLD
from models.train import TrainOptions, train_project
from models.train import loop as train_loop
from tests.models.train_support import sentences

pytestmark = [pytest.mark.backends, pytest.mark.slow]


def _decide(project, doc_id, who, spans, status="accepted"):
    with project.writing() as s:
        store.set_status(
            doc_id, status, session=s, annotator=who, add_spans=[(a, b, lab, "human", None) for a, b, lab in spans]
        )


def _other(spans):
    """The same entities with the person labelled a city: what a second annotator chose differently."""
    return [(a, b, "CITY") for a, b, _lab in spans]


@pytest.fixture
def team(make_project):
    project = make_project(labels=("PERSON", "CITY"))
    docs = sentences(16)
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=d.text) for d in docs], session=s)
        ids = store.document_ids(session=s)
    gold = {i: d.spans for i, d in zip(ids, docs, strict=True)}
    for doc_id, spans in gold.items():  # alice accepts every document correctly
        _decide(project, doc_id, "alice", spans)
    reviewed, conflicted, agreed, rejected = ids[0], ids[1], ids[2], ids[3]
    for doc_id in (reviewed, conflicted):  # bob accepts two differently
        _decide(project, doc_id, "bob", _other(gold[doc_id]))
    _decide(project, agreed, "bob", gold[agreed])  # and one alike
    # the reviewer settles the first difference: bob was right this time (the gold is bob's spans)
    _decide(project, reviewed, GOLD, _other(gold[reviewed]))
    _decide(project, rejected, GOLD, [], status="rejected")  # and rejects a document alice accepted
    return project, ids, gold, {"reviewed": reviewed, "conflicted": conflicted, "agreed": agreed, "rejected": rejected}


def test_training_reads_the_gold_else_the_accepted_one_and_leaves_differences_out(team):
    project, ids, gold, which = team
    with project.session() as s:
        read = training_documents(session=s)
    by_id = {d.id: d for d in read.documents}
    assert which["conflicted"] not in by_id and which["rejected"] not in by_id
    assert read.conflicts == 1 and read.reviewed == 1 and read.annotators == 2  # alice and bob; the gold is no one
    assert by_id[which["reviewed"]].spans == _other(gold[which["reviewed"]])  # the reviewer's
    assert by_id[which["agreed"]].spans == gold[which["agreed"]]
    assert sorted(by_id) == sorted(set(ids) - {which["conflicted"], which["rejected"]})
    assert all(d.complete and d.spans == gold[d.id] for d in read.documents if d.id != which["reviewed"])


def test_a_team_model_trains_and_evaluates_on_the_resolved_annotations_and_reports_what_it_left_out(
    team, cli, monkeypatch
):
    project, _ids, gold, which = team
    seen = {}
    real_run = train_loop.run

    def spy(nlp, optimizer, train, dev, **kw):  # the examples spaCy's loop trains and evaluates on
        for eg in [*train, *dev]:
            seen[eg.reference.text] = sorted((e.start_char, e.end_char, e.label_) for e in eg.reference.ents)
        return real_run(nlp, optimizer, train, dev, **kw)

    monkeypatch.setattr(train_loop, "run", spy)
    with project.session() as s:
        texts = {d: store.get_document(d, session=s).text for d in gold}
    result = train_project(project, TrainOptions(max_steps=20, eval_frequency=10, curve=False))
    docs = result.version.meta["documents"]
    assert docs["train"] + docs["eval"] == 14 and docs["conflicts"] == 1 and docs["reviewed"] == 1
    assert texts[which["conflicted"]] not in seen and texts[which["rejected"]] not in seen
    assert seen[texts[which["reviewed"]]] == sorted(_other(gold[which["reviewed"]]))
    assert seen[texts[which["agreed"]]] == sorted(gold[which["agreed"]])
    assert any(n.startswith("1 document accepted by several annotators") for n in result.notes)
    assert "1 reviewed document used with its gold annotation" in result.notes
    monkeypatch.setattr(train_loop, "run", real_run)
    code, out, err = cli("train", project.folder, "--steps", "10", "--eval-every", "5", "--no-curve", "--quiet")
    assert code == 0, err
    assert "note: 1 document accepted by several annotators with different entities left out" in out
    assert "note: 1 reviewed document used with its gold annotation" in out
