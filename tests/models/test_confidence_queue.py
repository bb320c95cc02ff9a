"""Confidence on suggestions (beam search on a real trained ner), the uncertain-first queue, the training process,
and the suggestions export."""

from __future__ import annotations

import json

import pytest

from models import store
from models.queue import next_document, upcoming
from models.suggest import load_suggester, model_key, suggest_documents
from models.train import TrainOptions, train_in_process, train_project
from tests.models.train_support import add, sentences

pytestmark = pytest.mark.slow
FAST = TrainOptions(max_steps=30, eval_frequency=10, curve=False)


@pytest.fixture
def with_model(make_project):
    """A project suggesting with a pipeline trained on it, and 6 undecided documents."""
    project = make_project(labels=("PERSON", "CITY"))
    add(project, sentences(24))
    train_project(project, FAST, use=True)
    add(project, [store.NewDocument(text=d.text) for d in sentences(6, seed=3, offset=200)])
    return project


def _pending(project):
    with project.session() as s:
        return store.uncertain_pending(model_key(project), session=s, annotator=project.annotator)


def test_scores_come_with_suggestions_later_under_the_same_key(with_model):
    suggester = load_suggester(with_model, "model")
    key = model_key(with_model)
    assert suggester.key == key
    suggest_documents(with_model, suggester)  # greedy only
    ids = _pending(with_model)
    with with_model.session() as s:
        first = store.suggestions_for(ids[0], key, session=s)
        assert all(sp["score"] is None for sp in first)
        assert set(store.uncertainty_of(ids, key, session=s).values()) == {None}
    done = suggest_documents(with_model, suggester, scores=True)
    assert done == 30  # every cached row (accepted documents too) now has scores
    with with_model.session() as s:
        scored = store.suggestions_for(ids[0], key, session=s)
        unc = store.uncertainty_of(ids, key, session=s)
    assert [(a["start"], a["end"], a["label"]) for a in scored] == [(a["start"], a["end"], a["label"]) for a in first]
    assert all(0.0 <= sp["score"] <= 1.0 for sp in scored)
    assert all(isinstance(u, float) and 0.0 <= u <= 1.0 for u in unc.values())
    assert suggest_documents(with_model, suggester, scores=True) == 0  # nothing left to score


def test_uncertain_order_puts_the_least_sure_first_and_the_queue_skips_decided(capsys, with_model, cli):
    key = model_key(with_model)
    ids = _pending(with_model)
    spans = [{"start": 0, "end": 2, "label": "PERSON", "origin": "model", "score": 0.5}]
    with with_model.writing() as s:  # known uncertainties: the 4th most uncertain, then the 2nd
        store.store_suggestions_bulk(
            [(ids[3], spans), (ids[1], spans), (ids[0], spans)], key, session=s, uncertainty=[0.9, 0.4, 0.1]
        )
        s.commit()

    def queue(limit, **kw):
        with with_model.session() as s:
            return upcoming(session=s, annotator=with_model.annotator, model_key=key, limit=limit, **kw)

    def after(doc, order):
        with with_model.session() as s:
            step = next_document(session=s, annotator=with_model.annotator, after=doc, order=order, model_key=key)
        return step.document_id if step else None

    order = queue(10, order="uncertain")
    assert order[:3] == [ids[3], ids[1], ids[0]]
    assert after(ids[3], "uncertain") == ids[1]
    with with_model.writing() as s:
        store.set_status(ids[3], "accepted", session=s, annotator=with_model.annotator)
    assert queue(2, order="uncertain") == [ids[1], ids[0]]
    code, out, _err = cli("queue", with_model.folder, "--order", "uncertain", "--limit", "2")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].split()[:2] == [str(ids[1]), "0.40"] and lines[1].split()[:2] == [str(ids[0]), "0.10"]
    with pytest.raises(SystemExit) as stop:  # argparse's own refusal, not "no pending documents"
        cli("queue", with_model.folder, "--limit", "-1")
    assert stop.value.code == 2 and "--limit: must be 1 or more" in capsys.readouterr().err
    # project order wraps round after the last pending document
    assert after(ids[-1], "position") == ids[0]
    assert queue(3) == ids[:3]


def test_export_suggestions_writes_pending_documents_with_scores(with_model, cli, tmp_path):
    suggest_documents(with_model, load_suggester(with_model, "model"), scores=True)
    out = tmp_path / "s.jsonl"
    code, printed, err = cli("export", with_model.folder, "--format", "jsonl", "--suggestions", "--out", out)
    assert code == 0, err
    tasks = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(tasks) == 6  # the pending ones; accepted documents are not suggestions
    assert all(isinstance(sp["score"], float) for t in tasks for sp in t["spans"])
    assert all("uncertainty" in t["meta"] for t in tasks)
    code, _p, err = cli("export", with_model.folder, "--format", "conll", "--suggestions")
    assert code == 1 and "use --format jsonl" in err


def test_training_in_a_child_process_reports_steps_and_cancels(make_project):
    project = make_project(labels=("PERSON", "CITY"))
    add(project, sentences(20))
    steps = []
    result = train_in_process(project, FAST, on_progress=steps.append, use=True)
    assert result.version.name == "001" and result.scores["f"] > 0.5
    assert project.config.model.pipeline == "pipelines/001"
    assert any(s.step > 0 for s in steps)
    from models.errors import TrainingError

    with pytest.raises(TrainingError, match="cancelled"):
        train_in_process(
            project,
            TrainOptions(max_steps=5000, eval_frequency=50, curve=False),
            should_stop=lambda: len(steps) > 40,
            on_progress=steps.append,
        )
    assert [v.name for v in __import__("models.train", fromlist=["x"]).list_versions(project)] == ["001"]


def test_from_pipeline_rehearses_on_undecided_documents_and_keeps_its_labels(with_model):
    result = train_project(with_model, TrainOptions(start="pipeline", max_steps=20, eval_frequency=10, curve=False))
    assert result.version.meta["documents"]["rehearsal"] == 6
    assert result.version.meta["from"] == "pipeline"
    assert result.scores["f"] > 0.5
