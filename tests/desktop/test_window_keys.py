"""Real key presses and mouse drags on the window, asserting what is stored in the project database."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.desktop.conftest import MODEL_KEY
from tests.desktop.helpers import click, drag, press, status, stored

TEXT = "Chinese Premier Li Qiang met Vladimir Putin in Moscow on Wednesday."
LI = (16, 24)  # "Li Qiang"
PUTIN = (29, 43)  # "Vladimir Putin"
MOSCOW = (47, 53)  # "Moscow"
SUGGESTED = {0: [(*LI, "PERSON"), (*MOSCOW, "GPE")]}
TEXTS = [TEXT, "Second article about Berlin.", "Third article about Paris."]


def test_offsets_of_the_sample_text():
    assert TEXT[slice(*LI)] == "Li Qiang" and TEXT[slice(*PUTIN)] == "Vladimir Putin"
    assert TEXT[slice(*MOSCOW)] == "Moscow"


def test_a_accepts_pending_suggestions_and_moves_on(make_window, qtbot):
    w = make_window(TEXTS, SUGGESTED)
    assert w.session.document_id == 1
    press(qtbot, w, Qt.Key.Key_A)
    assert status(w, 1) == "accepted"
    assert stored(w, 1) == [(*LI, "PERSON", "model"), (*MOSCOW, "GPE", "model")]
    assert w.session.document_id == 2
    assert w.documents.list_model.row_of(0).status == "accepted"


def test_x_rejects_and_space_ignores(make_window, qtbot):
    w = make_window(TEXTS, SUGGESTED)
    press(qtbot, w, Qt.Key.Key_X)
    assert status(w, 1) == "rejected" and stored(w, 1) == []
    press(qtbot, w, Qt.Key.Key_Space)
    assert status(w, 2) == "ignored"
    assert w.session.document_id == 3


def test_backspace_reopens_the_previous_decision(make_window, qtbot):
    w = make_window(TEXTS, SUGGESTED)
    press(qtbot, w, Qt.Key.Key_A)
    press(qtbot, w, Qt.Key.Key_X)
    assert w.session.document_id == 3
    press(qtbot, w, Qt.Key.Key_Backspace)
    assert w.session.document_id == 2 and status(w, 2) == "pending"
    press(qtbot, w, Qt.Key.Key_Backspace)
    assert w.session.document_id == 1 and status(w, 1) == "pending"
    assert stored(w, 1) == [(*LI, "PERSON", "model"), (*MOSCOW, "GPE", "model")]  # what was accepted stays


def test_label_keys_choose_the_active_label_and_relabel_the_selection(make_window, qtbot):
    w = make_window(TEXTS)
    press(qtbot, w, Qt.Key.Key_2)
    assert w.session.active_label == "ORG"
    assert w.labels.buttons["ORG"].isChecked()
    drag(qtbot, w, *MOSCOW)
    assert stored(w) == [(*MOSCOW, "ORG", "human")]
    press(qtbot, w, Qt.Key.Key_3)  # the new span is selected: relabel it
    assert stored(w) == [(*MOSCOW, "GPE", "human")]
    # relabelling the selection leaves the active label as it was: the next new entity is ORG again
    assert w.session.active_label == "ORG" and w.labels.buttons["ORG"].isChecked()
    w.session.select(None)
    drag(qtbot, w, *PUTIN)
    assert (*PUTIN, "ORG", "human") in stored(w)


def test_delete_and_enter_act_on_the_selection_and_leave_it_where_it_is(make_window, qtbot):
    w = make_window(TEXTS, SUGGESTED)  # suggestions: Li Qiang (PERSON), Moscow (GPE)
    drag(qtbot, w, *PUTIN)
    press(qtbot, w, Qt.Key.Key_Escape)
    press(qtbot, w, Qt.Key.Key_Tab)  # the first entity: the Li Qiang suggestion
    assert w.session.selected == ("suggestion", *LI, "PERSON")
    press(qtbot, w, Qt.Key.Key_Return)  # accepted; it stays selected (now an entity)
    assert w.session.selected == ("span", *LI)
    press(qtbot, w, Qt.Key.Key_Return)  # nothing moved: a second Enter accepts nothing more
    assert len(stored(w)) == 2
    press(qtbot, w, Qt.Key.Key_Tab)
    assert w.session.selected == ("span", *PUTIN)
    press(qtbot, w, Qt.Key.Key_Delete)  # removed; nothing selected
    assert w.session.selected is None
    press(qtbot, w, Qt.Key.Key_Delete)  # so a second Delete removes nothing more
    assert [s[:2] for s in stored(w)] == [LI]
    press(qtbot, w, Qt.Key.Key_Tab)  # Tab goes on from where the removed one was
    assert w.session.selected == ("suggestion", *MOSCOW, "GPE")


def test_drag_snaps_to_tokens_and_alt_drag_is_exact(make_window, qtbot):
    w = make_window(TEXTS)
    drag(qtbot, w, PUTIN[0] + 3, PUTIN[1] - 2)  # "dimir Put": snapped to "Vladimir Putin"
    assert stored(w) == [(*PUTIN, "PERSON", "human")]
    drag(qtbot, w, MOSCOW[0], MOSCOW[1] - 2, Qt.KeyboardModifier.AltModifier)  # "Mosc" exactly
    assert stored(w) == [(*PUTIN, "PERSON", "human"), (MOSCOW[0], MOSCOW[1] - 2, "PERSON", "human")]


def test_double_click_makes_a_one_token_span(make_window, qtbot):
    w = make_window(TEXTS)
    from tests.desktop.helpers import point_of, settle

    qtbot.mouseDClick(
        w.text.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point_of(w, MOSCOW[0] + 2)
    )
    settle(w)
    assert stored(w) == [(*MOSCOW, "PERSON", "human")]


def test_click_selects_and_delete_removes(make_window, qtbot):
    w = make_window(TEXTS)
    drag(qtbot, w, *PUTIN)
    drag(qtbot, w, *MOSCOW)
    click(qtbot, w, PUTIN[0] + 3)
    assert w.session.selected == ("span", *PUTIN)
    press(qtbot, w, Qt.Key.Key_Delete)
    assert stored(w) == [(*MOSCOW, "PERSON", "human")]


def test_delete_on_a_suggestion_is_remembered(make_window, qtbot):
    w = make_window(TEXTS, SUGGESTED)
    click(qtbot, w, MOSCOW[0] + 1)
    assert w.session.selected == ("suggestion", *MOSCOW, "GPE")
    press(qtbot, w, Qt.Key.Key_Delete)
    assert ("suggestion", *MOSCOW, "GPE") not in w.session.state.pending
    press(qtbot, w, Qt.Key.Key_A)
    assert stored(w, 1) == [(*LI, "PERSON", "model")]  # the dismissed one was not accepted
    project = w.project
    w.close()
    w2 = type(w)(project, settings=w.settings, background=False)
    qtbot.addWidget(w2)
    w2.session.set_model_key(MODEL_KEY)
    w2.session.open_document(1)
    assert [i.key for i in w2.session.state.pending.values()] == []  # it does not come back


def test_a_relabelled_suggestion_deleted_stays_gone_in_one_transaction(make_window, qtbot):
    """Tab to a suggestion, relabel it (it becomes the annotator's span), Delete: the model's suggestion must
    not come back, and `a` must not store it; the removal and the dismissal are one committed event."""
    w = make_window(TEXTS, SUGGESTED)
    press(qtbot, w, Qt.Key.Key_Tab)
    assert w.session.selected == ("suggestion", *LI, "PERSON")
    press(qtbot, w, Qt.Key.Key_2)  # PERSON suggestion -> ORG span
    assert stored(w) == [(*LI, "ORG", "human")]
    press(qtbot, w, Qt.Key.Key_Delete)
    assert stored(w) == []
    assert ("suggestion", *LI, "PERSON") not in w.session.state.pending
    with w.project.session() as s:
        from sqlmodel import select

        from models.db.tables import Event

        last = s.exec(select(Event).order_by(Event.id.desc())).first()
    assert last.action == "remove_span" and last.payload["dismissed"] == [[*LI, "PERSON"]]
    press(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo: the ORG span is back
    assert stored(w) == [(*LI, "ORG", "human")]
    press(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, w, Qt.Key.Key_A)
    assert stored(w, 1) == [(*MOSCOW, "GPE", "model")]  # the deleted one was not accepted


def test_undo_and_redo_of_a_decision_count_its_time_once(make_window, qtbot):
    w = make_window(TEXTS, SUGGESTED)
    w.session.opened_at -= 30  # as if the annotator spent 30 s on this document
    press(qtbot, w, Qt.Key.Key_X)

    def seconds():
        with w.project.session() as s:
            from models import store

            return store.get_annotation(1, session=s, annotator=w.project.annotator).seconds_spent

    first = seconds()
    assert first >= 30
    for _ in range(3):
        press(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        press(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert status(w, 1) == "rejected"
    assert seconds() == first


def test_enter_accepts_one_suggestion_alone(make_window, qtbot):
    w = make_window(TEXTS, SUGGESTED)
    press(qtbot, w, Qt.Key.Key_Tab)
    assert w.session.selected == ("suggestion", *LI, "PERSON")
    press(qtbot, w, Qt.Key.Key_Tab)
    assert w.session.selected == ("suggestion", *MOSCOW, "GPE")
    press(qtbot, w, Qt.Key.Key_Return)
    assert stored(w) == [(*MOSCOW, "GPE", "model")]
    assert status(w, 1) == "pending"
    press(qtbot, w, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert w.session.selected == ("suggestion", *LI, "PERSON")


def test_shift_arrows_grow_and_shrink_by_a_token(make_window, qtbot):
    w = make_window(TEXTS)
    drag(qtbot, w, PUTIN[0], PUTIN[0] + 8)  # "Vladimir"
    press(qtbot, w, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert stored(w) == [(*PUTIN, "PERSON", "human")]
    press(qtbot, w, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert stored(w) == [(PUTIN[0], PUTIN[1] + 3, "PERSON", "human")]  # "... in"
    press(qtbot, w, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert stored(w) == [(*PUTIN, "PERSON", "human")]


def test_overlap_is_refused_with_a_message(make_window, qtbot):
    w = make_window(TEXTS)
    drag(qtbot, w, *PUTIN)
    drag(qtbot, w, PUTIN[0] + 9, MOSCOW[1], Qt.KeyboardModifier.AltModifier)
    assert stored(w) == [(*PUTIN, "PERSON", "human")]
    text = w.session.state.text
    # said in the entities' words, not offsets
    message = w.status.current_notice()
    assert f"“{text[PUTIN[0] + 9 : MOSCOW[1]]}” overlaps the PERSON “{text[PUTIN[0] : PUTIN[1]]}”" in message
    assert not any(ch.isdigit() for ch in message)
    assert w.session.undo.count() == 1


def test_undo_and_redo_across_documents(make_window, qtbot):
    w = make_window(TEXTS, SUGGESTED)
    drag(qtbot, w, *PUTIN)
    press(qtbot, w, Qt.Key.Key_A)  # accept doc 1 (+2 suggestions) -> doc 2
    assert w.session.document_id == 2
    drag(qtbot, w, 21, 27)  # "Berlin"
    assert stored(w, 2) == [(21, 27, "PERSON", "human")]
    press(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(w, 2) == []
    press(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the accept, on document 1
    assert w.session.document_id == 1
    assert status(w, 1) == "pending" and stored(w, 1) == [(*PUTIN, "PERSON", "human")]
    assert len(w.session.state.pending) == 2  # the suggestions are pending again
    press(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(w, 1) == []
    mods = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    press(qtbot, w, Qt.Key.Key_Z, mods)
    press(qtbot, w, Qt.Key.Key_Z, mods)
    assert status(w, 1) == "accepted" and len(stored(w, 1)) == 3
    press(qtbot, w, Qt.Key.Key_Z, mods)
    assert w.session.document_id == 2 and stored(w, 2) == [(21, 27, "PERSON", "human")]


def test_emoji_text_offsets_are_code_points(make_window, qtbot):
    text = "😀🎉 Li Qiang met 普京 in Moscow 🇷🇺 today."
    start = text.index("Moscow")
    w = make_window([text], {0: [(text.index("Li"), text.index("Li") + 8, "PERSON")]})
    drag(qtbot, w, start, start + 6)
    click(qtbot, w, text.index("Qiang"))
    assert w.session.selected == ("suggestion", 3, 11, "PERSON")
    press(qtbot, w, Qt.Key.Key_Return)
    cjk = text.index("普京")
    drag(qtbot, w, cjk, cjk + 2, Qt.KeyboardModifier.AltModifier)
    spans = stored(w)
    assert [(text[a:b], lab) for a, b, lab, _o in spans] == [
        ("Li Qiang", "PERSON"),
        ("普京", "PERSON"),
        ("Moscow", "PERSON"),
    ]


def test_relabelled_suggestion_does_not_leave_the_old_suggestion_drawn(make_window, qtbot):
    """Relabel (or resize) a span made from a suggestion: its suggestion is hidden by the span again; the view
    must not keep drawing it (a click there once selected nothing), and the entity list keeps the relabelled
    entity selected (it once highlighted another row)."""
    w = make_window(TEXTS, SUGGESTED)
    click(qtbot, w, MOSCOW[0] + 1)
    press(qtbot, w, Qt.Key.Key_Return)  # accept Moscow GPE
    press(qtbot, w, Qt.Key.Key_2)  # relabel it ORG
    assert [(a, b, lab) for a, b, lab, _o in stored(w)] == [(*MOSCOW, "ORG")]
    assert [i for i in w.text.items_in_view() if i.pending and i.start < MOSCOW[1] and i.end > MOSCOW[0]] == []
    selected_rows = w.entities.table.selectionModel().selectedRows()
    assert [i.row() for i in selected_rows] == [w.entities.model.row_of(("span", *MOSCOW))]  # not Li Qiang's
    click(qtbot, w, 0)
    click(qtbot, w, MOSCOW[0] + 1)
    assert w.session.selected == ("span", *MOSCOW)
    assert w.entities.model.pending == 1 and len(w.entities.model.items) == 2  # Li Qiang pending, Moscow
    press(qtbot, w, Qt.Key.Key_A)  # accept the document: nothing refused
    assert w.session.document_id == 2


def test_undoing_a_delete_keeps_an_earlier_dismissal(make_window, qtbot):
    """Dismiss a suggestion, draw the same entity by hand, delete it, undo: the suggestion stays dismissed
    (undo once forgot the earlier dismissal, so the suggestion came back after a resize or on reopening)."""
    from models import store

    w = make_window(TEXTS, SUGGESTED)
    click(qtbot, w, MOSCOW[0] + 1)
    press(qtbot, w, Qt.Key.Key_Delete)  # dismiss the GPE suggestion
    press(qtbot, w, Qt.Key.Key_Escape)
    press(qtbot, w, Qt.Key.Key_3)  # GPE active
    drag(qtbot, w, *MOSCOW)
    press(qtbot, w, Qt.Key.Key_Delete)  # the new span is selected: remove it
    assert stored(w) == []
    press(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(w) == [(*MOSCOW, "GPE", "human")]
    with w.project.session() as s:
        assert store.dismissals_of(1, session=s, annotator="ann") == {(*MOSCOW, "GPE")}


@pytest.mark.parametrize("next_one", [False, True])
def test_accepting_many_suggestions_shows_them_whether_or_not_the_window_moves_on(make_window, qtbot, next_one):
    """A large accept is shown once the chain (commit, next document) is over: on the document that stays on
    screen when nothing is left, and again as suggestions after an undo; not on the next one when it moves on."""
    text = " ".join(f"Name{k}" for k in range(100))
    starts = [text.index(f"Name{k} ") if k < 99 else text.rindex("Name99") for k in range(100)]
    spans = [(a, a + len(f"Name{k}"), "PERSON") for k, a in enumerate(starts)]
    w = make_window([text, "Second article about Berlin."] if next_one else [text], {0: spans})
    assert len(w.session.state.pending) == 100 and w.entities.model.pending == 100
    press(qtbot, w, Qt.Key.Key_A)
    assert status(w, 1) == "accepted" and len(stored(w, 1)) == 100
    if next_one:  # moved on: the next document's views, nothing of the accepted one
        assert w.session.document_id == 2
        assert w.text.items_in_view() == [] and w.entities.model.items == []
        return
    assert w.session.document_id == 1 and not w.session.state.pending
    shown = w.text.items_in_view()
    assert [(i.start, i.end, i.label, i.pending) for i in shown] == [(*s, False) for s in spans]
    assert w.entities.model.items == shown and w.entities.model.pending == 0
    press(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo: suggestions again
    assert status(w, 1) == "pending" and stored(w, 1) == []
    shown = w.text.items_in_view()
    assert [(i.start, i.end, i.label, i.pending) for i in shown] == [(*s, True) for s in spans]
    assert w.entities.model.pending == 100
