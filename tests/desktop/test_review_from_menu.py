"""File → Review the annotators' differences opens the project in review mode (what `tagdesk open DIR --review`
does) and File → Back to annotating returns: a reviewer never needs the command line for it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from models import store
from tests.desktop.test_dialogs import app_controller  # noqa: F401 (fixture)

TEXT = "Li Qiang met Vladimir Putin in Moscow."


def test_review_mode_from_the_file_menu_and_back(app_controller, make_project, qtbot):  # noqa: F811
    project = make_project()
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=TEXT)], session=s)
    for who, label in (("ann", "PERSON"), ("bea", "ORG")):
        with project.writing() as s:
            store.set_status(1, "accepted", session=s, annotator=who, add_spans=[(13, 26, label, "human", None)])
    folder = project.folder
    project.close()
    window = app_controller.open(folder)
    qtbot.addWidget(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert not window.session.review
    qtbot.keyClick(window.text, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(app_controller.windows) == 1 and app_controller.windows[0] is not window)
    review = app_controller.windows[0]
    qtbot.addWidget(review)
    assert review.session.review and review.windowTitle().endswith("— Review — Tagdesk")
    assert [t for t, _acts in review.groups if t == "&Review"]  # the review menu and panel
    # the difference between ann and bea is offered: one of their versions shown, who chose it as its origin
    qtbot.waitUntil(lambda: review.session.state is not None and bool(review.session.state.pending), timeout=5_000)
    origins = {i.origin for i in review.session.state.pending.values()}
    assert origins & {"ann", "bea"}, origins
    back = next(a for a in review.actions() if a.text() == "Back to &annotating")
    back.trigger()
    qtbot.waitUntil(lambda: len(app_controller.windows) == 1 and not app_controller.windows[0].session.review)
    qtbot.addWidget(app_controller.windows[0])
