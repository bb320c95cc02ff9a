"""Renaming a label in the window: the suggestions on screen never show the old name, and where the cache can
follow the rename (`models.suggest.carry`) they come back renamed without spaCy running over the documents again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from models import store
from tests.desktop import test_suggestions_in_window as in_window
from tests.desktop.helpers import settle
from tests.models.suggest_support import configure, save_pipeline

TEXT = "Ada Lovelace met Acme Corp in Paris on Monday with Rex."
#       0           12  16        26 29   34 38    45   50 53
TEXTS = [TEXT, "Rex visited Paris.", "A third one."]


@pytest.fixture
def suggesting(make_project):
    """A pipeline folder finds PERSON, ORG, LOC (shown as GPE), DATE (dropped) and ANIMAL ("Rex": no project
    label, not mapped, so dropped)."""
    first = make_project()
    save_pipeline(first.folder / "pipe")
    project = configure(first, pipeline="./pipe")
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=t) for t in TEXTS], session=s)
    yield project
    project.close()


open_window = in_window.open_window  # the real window with its real background work (a fixture)
pending = in_window.pending

FIRST = [(0, 12, "PERSON"), (17, 26, "ORG"), (30, 35, "GPE")]


def rename_in_dialog(window, qtbot, monkeypatch, old: str, new: str) -> list[list]:
    """Labels → Edit labels → Rename…; returns what the text view showed as suggestions from then on."""
    dialog = window.show_labels()
    qtbot.addWidget(dialog)
    monkeypatch.setattr(dialog, "ask_text", lambda *a, **k: new)
    dialog._select(old)
    seen: list[list] = []
    window.session.changed.connect(lambda _delta: seen.append(pending(window)))
    window.session.document_opened.connect(lambda _state: seen.append(pending(window)))
    qtbot.mouseClick(dialog.buttons["Rename…"], Qt.MouseButton.LeftButton)
    settle(window)
    seen.append(pending(window))
    return seen


def suggested_now(window) -> list[str]:
    notices = []
    window.background.notice.connect(notices.append)
    return notices


def test_a_renamed_label_shows_its_new_name_at_once_and_nothing_is_suggested_again(
    suggesting, open_window, qtbot, monkeypatch
):
    w = open_window(suggesting)
    qtbot.waitUntil(lambda: pending(w) == FIRST, timeout=20_000)
    qtbot.waitUntil(lambda: w.background.suggest_task.done, timeout=20_000)
    notices = suggested_now(w)
    seen = rename_in_dialog(w, qtbot, monkeypatch, "GPE", "PLACE")
    qtbot.waitUntil(lambda: pending(w) == [*FIRST[:2], (30, 35, "PLACE")], timeout=10_000)
    qtbot.waitUntil(lambda: w.background.suggest_task.done and not w.background.working, timeout=20_000)
    assert all(label != "GPE" for shown in seen for _s, _e, label in shown), seen
    # the cache came along renamed: the suggester found nothing left to do
    assert not [n for n in notices if "pre-annotated" in n], notices
    w.documents.step(1)
    qtbot.waitUntil(lambda: pending(w) == [(12, 17, "PLACE")], timeout=5_000)


def test_a_name_the_model_uses_makes_new_suggestions_and_never_shows_the_old_ones(
    suggesting, open_window, qtbot, monkeypatch
):
    w = open_window(suggesting)
    qtbot.waitUntil(lambda: pending(w) == FIRST, timeout=20_000)
    qtbot.waitUntil(lambda: w.background.suggest_task.done, timeout=20_000)
    seen = rename_in_dialog(w, qtbot, monkeypatch, "ORG", "ANIMAL")
    # the model's own ANIMAL entities count now: suggested again, "Rex" included
    want = [FIRST[0], (17, 26, "ANIMAL"), FIRST[2], (51, 54, "ANIMAL")]
    qtbot.waitUntil(lambda: pending(w) == want, timeout=20_000)
    assert all(label != "ORG" for shown in seen for _s, _e, label in shown), seen
