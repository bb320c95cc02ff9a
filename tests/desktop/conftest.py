"""Fixtures for the window: a real project on disk, a real MainWindow, a test-local QSettings file."""

from __future__ import annotations

import pytest

MODEL_KEY = "test-model@1"


@pytest.fixture
def settings_path(tmp_path):
    return tmp_path / "settings.ini"


@pytest.fixture
def make_window(make_project, qtbot, settings_path):
    """make_window(texts, suggestions={index: [(start, end, label), ...]}) -> MainWindow on a new project.

    Suggestions are stored directly (as the suggestion engine would) under MODEL_KEY; the spaCy tokenizer is
    spacy.blank("en")'s; no background work runs."""
    import spacy
    from PySide6.QtCore import QSettings

    from desktop.main_window import MainWindow
    from models import store

    tokenizer = spacy.blank("en").tokenizer
    made = {}

    def make(texts, suggestions=None, labels=("PERSON", "ORG", "GPE"), project=None, origin="model"):
        if project is None:
            project = make_project(labels=labels)
            with project.writing() as s:
                store.add_documents([store.NewDocument(text=t) for t in texts], session=s)
            with project.writing() as s:
                for index, spans in (suggestions or {}).items():
                    store.store_suggestions(
                        index + 1,
                        MODEL_KEY,
                        [{"start": a, "end": b, "label": lab, "origin": origin, "score": 0.9} for a, b, lab in spans],
                        session=s,
                    )
                s.commit()
        settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
        window = MainWindow(project, settings=settings, background=False)
        window.session.snapper.tokenizer = tokenizer
        window.session.set_model_key(MODEL_KEY)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.windowHandle().requestActivate()  # shortcuts only fire in the active window
        qtbot.waitUntil(window.isActiveWindow)
        window.text.setFocus()
        made["window"] = window
        return window

    return make
