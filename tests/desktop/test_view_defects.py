"""The text view's defects, each checked on the rendered widget (its pixels or its own layout)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from tests.desktop.helpers import char_box, press, shot

CTRL = Qt.KeyboardModifier.ControlModifier
KREMLIN = "Li made the remarks at the Kremlin, following the meeting with Putin."
LONG = " ".join(f"Sentence {n} of a long article about Putin and the Kremlin." for n in range(400))


def _coloured_pixels(image) -> int:
    """Pixels with a clear hue (label colours); text, background, borders and the scroll bar are grey."""
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            if QColor(image.pixel(x, y)).hsvSaturation() > 60:
                count += 1
    return count


def test_a_document_opened_after_one_starting_with_an_entity_is_plain(make_window, qtbot):
    """Leaving a document whose first character is an entity once painted the next document's whole text in
    that entity's colour."""
    w = make_window(
        ["Kremlin officials met on Monday.", "A plain text with no entities at all, " * 20], {0: [(0, 7, "ORG")]}
    )
    qtbot.wait(20)
    assert _coloured_pixels(shot(w)) > 20  # the suggestion at character 0 is painted
    press(qtbot, w, Qt.Key.Key_A)  # accepted: the next document opens
    qtbot.wait(50)
    assert w.session.document_id == 2
    assert _coloured_pixels(shot(w)) == 0


def test_the_selection_ring_stays_off_the_next_character(make_window, qtbot):
    start = KREMLIN.index("Kremlin")
    comma = start + len("Kremlin")
    w = make_window([KREMLIN], {0: [(start, comma, "ORG")]})
    qtbot.wait(20)
    box = char_box(w, comma)
    before = shot(w).copy(box)
    w.session.select(("suggestion", start, comma, "ORG"))
    qtbot.wait(20)
    ring = shot(w)
    assert ring.copy(char_box(w, comma - 1)) != before  # the entity's own last letter is inside the ring
    assert ring.copy(box) == before, "the ring draws over the comma after the entity"


def test_page_keys_scroll_and_ctrl_page_keys_change_documents(make_window, qtbot):
    w = make_window([LONG, "The second document."])
    bar = w.text.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    press(qtbot, w, Qt.Key.Key_PageDown)
    assert w.session.document_id == 1
    page = bar.value()
    assert page > w.text.viewport().height() // 2
    press(qtbot, w, Qt.Key.Key_PageDown)
    assert bar.value() > page
    press(qtbot, w, Qt.Key.Key_PageUp)
    assert bar.value() == page
    press(qtbot, w, Qt.Key.Key_End, CTRL)
    assert bar.value() == bar.maximum()
    press(qtbot, w, Qt.Key.Key_Home, CTRL)
    assert bar.value() == 0
    press(qtbot, w, Qt.Key.Key_Down)  # no entity selected: the arrows scroll
    line = bar.value()
    assert 0 < line < page
    press(qtbot, w, Qt.Key.Key_Up)
    assert bar.value() == 0
    press(qtbot, w, Qt.Key.Key_PageDown, CTRL)
    assert w.session.document_id == 2
    press(qtbot, w, Qt.Key.Key_PageUp, CTRL)
    assert w.session.document_id == 1


def test_the_shortcuts_list_names_the_new_document_keys(make_window, qtbot):
    w = make_window([LONG, "The second document."])
    dialog = w.show_shortcuts()
    qtbot.addWidget(dialog)
    rows = {
        dialog.tree.topLevelItem(i).text(1): dialog.tree.topLevelItem(i).text(0)
        for i in range(dialog.tree.topLevelItemCount())
    }
    assert "Ctrl+PgDown" in rows["Next document"] and "PgDown" not in rows["Next document"].replace("Ctrl+PgDown", "")
    assert "Ctrl+PgUp" in rows["Previous document"]
    assert "F3" in rows["Next match"] and "Shift+F3" in rows["Previous match"]


def _search(qtbot, w, query: str) -> None:
    with qtbot.waitSignal(w.documents.filters_applied, timeout=5000):
        w.documents.search.setText(query)
    qtbot.wait(20)
    w.text.setFocus()


def test_search_matches_are_highlighted_and_stepped_with_f3(make_window, qtbot):
    text = LONG.replace("Sentence 3 of", "Sentence 3 about Mishustin, of").replace(
        "Sentence 390 of", "Sentence 390 about mishustin, of"
    )
    first, second = text.index("Mishustin"), text.index("mishustin")
    w = make_window([text, "Another document."])
    plain = shot(w).copy(char_box(w, first + 2))
    _search(qtbot, w, "MISHUSTIN")
    assert w.session.document_id == 1
    assert shot(w).copy(char_box(w, first + 2)) != plain  # the match is highlighted
    bar = w.text.verticalScrollBar()
    assert bar.value() == 0
    press(qtbot, w, Qt.Key.Key_F3)  # the first match, already on screen: the current one
    assert bar.value() == 0
    press(qtbot, w, Qt.Key.Key_F3)  # the second, far below: scrolled to
    assert bar.value() > 0
    box = char_box(w, second + 2)
    assert w.text.viewport().rect().contains(box)
    press(qtbot, w, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert w.text.viewport().rect().contains(char_box(w, first + 2))
    assert "1 of 2" in w.status.message.toolTip()
