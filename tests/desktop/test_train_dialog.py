"""Model → Train with options: the choices of `tagdesk train`, through the dialog's widgets, reach the real
training (a child process) and are what the new model's record says."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from models import store
from models.train import TrainOptions, list_versions
from tests.desktop.helpers import press
from tests.models.train_support import sentences


def type_into(qtbot, spin, value: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, value)


def test_train_with_options_from_the_dialog(make_window, make_project, qtbot):
    project = make_project(labels=("PERSON", "CITY"), name="trainme")
    with project.writing() as s:
        store.add_documents(sentences(20), session=s, annotator=project.annotator)
    window = make_window([], project=project)
    window.learning.trainer.options = TrainOptions(max_steps=2000, eval_frequency=200, max_minutes=30)
    press(qtbot, window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    from desktop.dialogs.train_dialog import TrainDialog

    dialog = next(d for d in window.findChildren(TrainDialog) if d.isVisible())
    qtbot.addWidget(dialog)
    assert dialog.steps.value() == 2000 and dialog.minutes.text() == "30 minutes"
    assert not dialog.rehearse.isEnabled()  # a new model has nothing to rehearse
    type_into(qtbot, dialog.steps, "20")
    type_into(qtbot, dialog.share, "0.3")
    qtbot.mouseClick(dialog.curve, Qt.MouseButton.LeftButton)  # no learning curve
    qtbot.mouseClick(dialog.labels["CITY"], Qt.MouseButton.LeftButton)  # PERSON only
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and window.learning.trainer.running
    qtbot.waitUntil(lambda: not window.learning.trainer.running, timeout=90_000)
    assert window.learning.last is not None, window.learning.bar.label.text()
    (version,) = list_versions(project)
    meta = json.loads((version.path / "tagdesk.json").read_text(encoding="utf-8"))
    assert meta["from"] == "blank" and meta["eval"]["share"] == 0.3
    assert list(meta["labels"]) == ["PERSON"] and meta["steps"] <= 20
    assert [point["share"] for point in meta["curve"]] == [1.0]  # no 25, 50, 75 % runs


def test_no_label_chosen_is_refused_in_the_dialog(make_window, qtbot):
    window = make_window(["One."])
    dialog = window.learning.train_with_options()
    qtbot.addWidget(dialog)
    for box in dialog.labels.values():
        box.setChecked(False)
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Choose at least one label to train." and dialog.isVisible()
    assert not window.learning.trainer.running
