"""Settings restore, the shortcuts dialog, suggestions arriving later, suggestions unavailable, themes."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt

from models import store
from tests.desktop.conftest import MODEL_KEY
from tests.desktop.helpers import press

TEXTS = ["Li Qiang met Putin.", "Merkel in Berlin.", "Macron in Paris."]


def test_last_document_and_layout_are_restored(make_window, qtbot):
    w = make_window(TEXTS)
    press(qtbot, w, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, w, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert w.session.document_id == 3
    w.resize(780, 560)  # inside the offscreen screen, so the geometry restores as it was
    qtbot.wait(20)
    w.splitter.setSizes([200, 400, 150])
    sizes, size = w.splitter.sizes(), w.size()
    w.close()
    w2 = make_window(None, project=w.project)
    assert w2.session.document_id == 3
    assert w2.size() == size
    assert w2.splitter.sizes() == sizes


def test_help_lists_every_shortcut(make_window, qtbot):
    w = make_window(TEXTS)
    dialog = w.show_shortcuts()
    qtbot.addWidget(dialog)
    rows = {
        dialog.tree.topLevelItem(i).text(1): dialog.tree.topLevelItem(i).text(0)
        for i in range(dialog.tree.topLevelItemCount())
    }
    assert rows["Accept document and next"] == "A"
    assert rows["Undo"] == "Ctrl+Z"
    assert rows["Label PERSON"] == "1"
    assert "Backspace" in rows["Back to the previous decision"]


def test_suggestions_that_arrive_later_show_up(make_window, qtbot):
    w = make_window(TEXTS)
    assert w.session.state.pending == {}
    with w.project.writing() as s:
        store.store_suggestions(
            1, MODEL_KEY, [{"start": 0, "end": 8, "label": "PERSON", "origin": "model", "score": 0.8}], session=s
        )
        s.commit()
    w.background.suggestions_arrived.emit()
    assert list(w.session.state.pending) == [("suggestion", 0, 8, "PERSON")]
    assert [i.key for i in w.text.items_in_view()] == [("suggestion", 0, 8, "PERSON")]


def test_without_a_suggestion_engine_annotation_still_works(make_window, qtbot, monkeypatch):
    monkeypatch.setitem(sys.modules, "models.suggest", None)  # import fails as in a build without it
    w = make_window(TEXTS)
    w.session.set_model_key(None)
    w.background.start()
    qtbot.waitUntil(lambda: "unavailable" in w.status.model.text().lower(), timeout=20000)
    press(qtbot, w, Qt.Key.Key_A)
    with w.project.session() as s:
        assert store.get_annotation(1, session=s, annotator=w.project.annotator).status == "accepted"


def test_dark_theme_switch_is_remembered(make_window, qtbot):
    w = make_window(TEXTS)
    w.set_theme("dark")
    assert w.settings.value("theme") == "dark"
    assert w.text.palette_.dark
    w.set_theme("light")


def test_the_window_shows_the_notice_in_its_notice_bar(make_window, make_project, no_shared_memory):
    project = make_project()
    with project.writing() as s:
        store.add_documents([store.NewDocument(text="Ada met Bob.")], session=s)
    window = make_window(None, project=project)
    assert window.notice_bar.isVisible()
    assert "write-ahead log" in window.notice_bar.label.text()
