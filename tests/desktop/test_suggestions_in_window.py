"""The window and its background suggestions: the key it shows is the one the suggester wrote under, and `a`
never stores an accepted document that the annotator saw without its suggestions."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QSettings, Qt

import models.suggest
from models import store
from tests.desktop.helpers import press, settle, status, stored
from tests.models.suggest_support import configure, write_patterns

GPE = {"label": "GPE", "pattern": "Berlin"}
PERSON = {"label": "PERSON", "pattern": "Merkel"}
TEXTS = ["Merkel visited Berlin on Monday.", "Scholz stayed home.", "A third one."]


@pytest.fixture
def patterns_project(make_project):
    """A project whose suggestions come from a patterns file only (spaCy's EntityRuler on a blank pipeline)."""
    first = make_project()
    write_patterns(first.folder / "patterns.jsonl", [GPE])
    project = configure(first, pipeline="", patterns=["patterns.jsonl"])
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=t) for t in TEXTS], session=s)
    yield project
    project.close()


@pytest.fixture
def open_window(qtbot, settings_path):
    """The real window with its real background work (tokenizer, model key, suggester)."""
    from desktop.main_window import MainWindow

    def make(project):
        window = MainWindow(project, settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.windowHandle().requestActivate()
        qtbot.waitUntil(window.isActiveWindow)
        window.text.setFocus()
        return window

    return make


@pytest.fixture
def slow_model(monkeypatch):
    """The suggester loads only once the test releases it: the window's "model still loading" moment, held."""
    release = threading.Event()
    real = models.suggest.load_suggester

    def load(*args, **kwargs):
        assert release.wait(30), "the test never let the model load"
        return real(*args, **kwargs)

    monkeypatch.setattr(models.suggest, "load_suggester", load)
    yield release
    release.set()


def pending(window):
    state = window.session.state
    return sorted((i.start, i.end, i.label) for i in state.pending.values()) if state else []


def test_compute_suggestions_now_after_the_patterns_changed_shows_what_it_wrote(patterns_project, open_window, qtbot):
    w = open_window(patterns_project)
    qtbot.waitUntil(lambda: pending(w) == [(15, 21, "GPE")], timeout=20_000)
    qtbot.waitUntil(lambda: w.background.suggest_task.done, timeout=20_000)
    first_key = w.session.model_key
    write_patterns(patterns_project.folder / "patterns.jsonl", [GPE, PERSON])  # the annotator edits the file
    compute = next(a for a in w.findChildren(type(w.groups[0][1][0])) if a.text() == "Compute &suggestions now")
    compute.trigger()
    qtbot.waitUntil(lambda: w.background.suggest_task.done, timeout=20_000)
    qtbot.waitUntil(lambda: pending(w) == [(0, 6, "PERSON"), (15, 21, "GPE")], timeout=5_000)
    assert w.session.model_key != first_key
    assert w.session.model_key == models.suggest.model_key(patterns_project)  # the suggester's own key
    press(qtbot, w, Qt.Key.Key_A)
    assert stored(w, 1) == [(0, 6, "PERSON", "pattern"), (15, 21, "GPE", "pattern")]


def test_a_while_the_model_loads_waits_and_shows_what_arrived_instead_of_accepting_it_blind(
    patterns_project, open_window, slow_model, qtbot
):
    w = open_window(patterns_project)
    assert w.session.document_id == 1 and pending(w) == []  # no suggestions yet: the model is loading
    notices = []
    w.session.message.connect(notices.append)
    press(qtbot, w, Qt.Key.Key_A, wait=False)
    press(qtbot, w, Qt.Key.Key_X, wait=False)  # typed ahead: it waits behind the accept
    qtbot.wait(300)
    assert status(w, 1) == "pending" and w.session.document_id == 1  # not accepted as "no entities"
    assert any("Waiting for this document's suggestions" in n for n in notices)
    slow_model.set()
    qtbot.waitUntil(lambda: pending(w) == [(15, 21, "GPE")], timeout=20_000)  # the document on screen comes first
    settle(w)
    assert status(w, 1) == "pending" and status(w, 2) == "pending"  # the accept did not go through, nor the x
    assert w.session.document_id == 1
    assert any("1 suggestion arrived" in n and "1 key pressed meanwhile not applied" in n for n in notices)
    press(qtbot, w, Qt.Key.Key_A)  # now the annotator has seen it
    assert status(w, 1) == "accepted" and stored(w, 1) == [(15, 21, "GPE", "pattern")]


def test_a_while_the_model_loads_accepts_once_nothing_unseen_arrived(patterns_project, open_window, slow_model, qtbot):
    w = open_window(patterns_project)
    press(qtbot, w, Qt.Key.Key_X)  # document 1 rejected (x needs no suggestions); on to document 2
    assert w.session.document_id == 2 and pending(w) == []
    press(qtbot, w, Qt.Key.Key_A, wait=False)  # document 2 has nothing the patterns find: once that is known ...
    qtbot.wait(300)
    assert status(w, 2) == "pending"
    slow_model.set()
    qtbot.waitUntil(lambda: status(w, 2) == "accepted", timeout=20_000)  # ... the accept goes through
    settle(w)
    assert stored(w, 2) == [] and w.session.document_id == 3


def test_the_worker_serves_the_document_asked_for_even_when_the_annotator_moves_on_at_once(patterns_project):
    """The worker reads "which document is on screen" from the window while it runs, so the answer can change
    between two looks: here document 2 is on screen at the first look and gone the next moment. The worker does
    document 2 first anyway, and then every other document."""
    from desktop.background import _suggest
    from models.suggest import model_key

    with patterns_project.session() as s:
        ids = store.document_ids(session=s)
    looks = iter([ids[1]])  # the first look sees document 2; every later look sees none (the annotator moved on)
    reports: list[tuple[object, ...]] = []
    done = _suggest(patterns_project, lambda: next(looks, None), lambda *a: reports.append(a), lambda: False)
    assert reports[1] == ("wanted", ids[1])  # right after "loaded": document 2 before the others
    assert done == len(TEXTS)
    key = model_key(patterns_project)
    with patterns_project.session() as s:
        first = store.suggestions_for(ids[0], key, session=s)
    assert [(sp["start"], sp["end"], sp["label"]) for sp in first or []] == [(15, 21, "GPE")]
