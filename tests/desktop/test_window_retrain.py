"""Automatic retraining from the window, with real decisions by key: the count of documents accepted since the
last training, the training it starts, the not-worse rule, and what the annotator reads; a training that cannot
succeed yet, or documents left out of every training, never make it start again after each decision."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from models import settings, store
from models.train import TrainOptions, list_versions, train_project
from tests.desktop.helpers import press, status
from tests.models.train_support import sentences

pytestmark = pytest.mark.slow

QUICK = TrainOptions(max_steps=20, eval_frequency=10, curve=False)


def _pending(n: int, offset: int = 0) -> list[store.NewDocument]:
    return [
        store.NewDocument(text=d.text, spans=d.spans) for d in sentences(n, seed=3, offset=200 + offset)
    ]  # the annotator still has to accept them (a / x / Space)


def _decide(qtbot, window, doc_id: int, key=Qt.Key.Key_A):
    """Open a document from the list and decide it by key; wait until the retraining check after it is read."""
    window.documents.select_document(doc_id)
    qtbot.waitUntil(lambda: window.session.document_id == doc_id)
    trainer = window.learning.trainer
    if not window.project.config.model.retrain_every:
        press(qtbot, window, key)
        return None
    with qtbot.waitSignal(trainer.checked, timeout=10_000) as blocker:
        press(qtbot, window, key)
    return blocker.args[0]


def _menu_status(window) -> str:
    window.learning._show_retrain_status()  # what the Model → Retrain automatically menu shows when opened
    return window.learning.retrain_status.text()


def test_retraining_starts_after_n_accepted_documents_and_uses_a_model_not_worse(make_window, make_project, qtbot):
    project = make_project(labels=("PERSON", "CITY"), name="auto")
    with project.writing() as s:
        store.add_documents(sentences(8), session=s, annotator=project.annotator)  # accepted
        store.add_documents(_pending(4), session=s)
    settings.set_pipeline(project, "")
    window = make_window([], project=project)
    window.learning.trainer.options = QUICK
    assert _menu_status(window) == "Automatic retraining is off"
    # Model → Retrain automatically → Every 10 accepted documents: the shared setting
    with qtbot.waitSignal(window.learning.trainer.checked):  # is it due already? not yet
        next(a for a in window.learning.retrain_actions.actions() if a.data() == 10).trigger()
    assert project.config.model.retrain_every == 10
    assert _menu_status(window) == "8 documents accepted, no model trained yet; retraining after 2 more"
    check = _decide(qtbot, window, 9)
    assert check.since == 9 and not check.due and not window.learning.trainer.running
    _decide(qtbot, window, 10, Qt.Key.Key_X)  # a rejection is not an accepted document
    assert not window.learning.trainer.running
    check = _decide(qtbot, window, 11)  # the 10th accepted document: training starts by itself
    assert check.due and window.learning.trainer.running and window.learning.trainer.auto
    assert window.learning.bar.label.text().startswith(
        "Retraining automatically: 10 documents accepted since the start"
    )
    qtbot.waitUntil(lambda: not window.learning.trainer.running, timeout=120_000)
    text = window.learning.bar.label.text()
    assert "Model 001 trained automatically on" in text and "now suggesting with it" in text, text
    assert not window.learning.bar.use.isVisible()
    assert project.config.model.pipeline == "pipelines/001"
    assert list_versions(project)[-1].meta["documents"]["accepted"] == 10
    check = _decide(qtbot, window, 12)  # counting starts again from the new model
    assert check.since == 1 and not window.learning.trainer.running
    assert _menu_status(window) == "1 document accepted since model 001 was trained; retraining after 9 more"


def test_a_new_model_that_scores_lower_is_not_used_and_the_annotator_is_told(make_window, make_project, qtbot):
    project = make_project(labels=("PERSON", "CITY"), name="worse")
    with project.writing() as s:
        store.add_documents(sentences(20), session=s, annotator=project.annotator)
        store.add_documents(_pending(3), session=s)
    first = train_project(project, TrainOptions(max_steps=40, eval_frequency=10, curve=False), use=True)
    assert first.scores["f"] > 0.8
    settings.set_retrain_every(project, 2)
    window = make_window([], project=project)
    window.learning.trainer.options = TrainOptions(max_steps=1, eval_frequency=1, curve=False)  # learns nothing
    assert _menu_status(window) == "0 documents accepted since model 001 was trained; retraining after 2 more"
    other = window.learning.retrain_other  # 2 is not one of the menu's numbers: shown as set, not lost
    assert other.isVisible() and other.isChecked() and other.text().startswith("Every 2 accepted documents")
    assert not _decide(qtbot, window, 21).due
    assert _decide(qtbot, window, 22).due
    qtbot.waitUntil(lambda: not window.learning.trainer.running, timeout=120_000)
    text = window.learning.bar.label.text()
    assert "Model 002 trained automatically" in text and "not used: model 001 scores higher" in text, text
    assert window.learning.bar.use.isVisible()  # the annotator may still choose it
    assert project.config.model.pipeline == "pipelines/001"
    assert [v.name for v in list_versions(project)] == ["001", "002"]


def test_a_training_that_cannot_succeed_yet_is_not_started_again_after_every_decision(make_window, make_project, qtbot):
    project = make_project(labels=("PERSON", "CITY"), name="few")
    with project.writing() as s:
        store.add_documents(sentences(1), session=s, annotator=project.annotator)
        store.add_documents(_pending(6), session=s)
    settings.set_retrain_every(project, 2)
    settings.set_pipeline(project, "")
    window = make_window([], project=project)
    window.learning.trainer.options = QUICK
    assert _decide(qtbot, window, 2).due  # 2 accepted: too few to train on
    qtbot.waitUntil(lambda: not window.learning.trainer.running, timeout=60_000)
    text = window.learning.bar.label.text()
    assert text.startswith("Automatic retraining: training needs at least 4 accepted documents"), text
    assert text.endswith("It tries again after 2 more accepted documents.")
    check = _decide(qtbot, window, 3)
    assert check.since == 1 and not window.learning.trainer.running  # not again after this decision
    assert status(window, 3) == "accepted"
    assert _decide(qtbot, window, 4).due  # two more since the attempt: it tries again
    qtbot.waitUntil(lambda: not window.learning.trainer.running, timeout=60_000)
    assert list_versions(project) == []


def test_documents_left_out_of_training_do_not_count_as_new(make_window, make_project, qtbot):
    """Two documents two annotators accepted differently are never trained on: after a training they must not
    count as accepted since it (else every decision would start another training)."""
    project = make_project(labels=("PERSON", "CITY"), name="conflicts")
    docs = sentences(10)
    with project.writing() as s:
        store.add_documents(docs, session=s, annotator=project.annotator)
        store.add_documents(_pending(4), session=s)
        for doc_id in (1, 2):  # bob accepts two of them with no entities
            store.set_status(doc_id, "accepted", session=s, annotator="bob")
    settings.set_pipeline(project, "")
    settings.set_retrain_every(project, 2)
    window = make_window([], project=project)
    window.learning.trainer.options = QUICK
    window.learning.train()  # a training by hand: Model → Train
    assert window.learning.trainer.running and not window.learning.trainer.auto
    qtbot.waitUntil(lambda: not window.learning.trainer.running, timeout=60_000)
    assert list_versions(project)[-1].meta["documents"]["conflicts"] == 2
    check = _decide(qtbot, window, 11, Qt.Key.Key_X)
    assert check.since == 0 and not window.learning.trainer.running
    check = _decide(qtbot, window, 12)
    assert check.since == 1 and not window.learning.trainer.running
