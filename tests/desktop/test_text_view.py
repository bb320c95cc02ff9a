"""What the annotator sees in the text view: pending vs accepted look, label tags, and that an edit repaints only
the entity it touched."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from tests.desktop.helpers import drag, press

TEXT = "Chinese Premier Li Qiang met Vladimir Putin in Moscow on Wednesday.\n\nA second paragraph follows."


def _format_at(window, offset):
    cursor = QTextCursor(window.text.document())
    cursor.setPosition(window.text.map.to_qt(offset) + 1)  # the format of the character before the cursor
    return cursor.charFormat()


def test_pending_suggestions_look_different_from_accepted_spans(make_window, qtbot):
    w = make_window([TEXT], {0: [(16, 24, "PERSON")]})
    drag(qtbot, w, 47, 53)  # Moscow, accepted (human)
    pending, accepted = _format_at(w, 17), _format_at(w, 48)
    assert pending.background().color().alphaF() < accepted.background().color().alphaF() / 2
    assert pending.background().color().alphaF() > 0  # but it is marked
    # the last character of each entity is letter-spaced: room for the painted label tag
    assert _format_at(w, 23).fontLetterSpacing() > 10 and _format_at(w, 52).fontLetterSpacing() > 10
    assert _format_at(w, 25).background().style() == Qt.BrushStyle.NoBrush  # plain text stays plain


def test_an_edit_touches_only_its_entity(make_window, qtbot):
    w = make_window([TEXT], {0: [(16, 24, "PERSON"), (47, 53, "GPE")]})
    changes = []
    w.text.document().contentsChange.connect(lambda pos, removed, added: changes.append((pos, removed, added)))
    press(qtbot, w, Qt.Key.Key_Tab)
    press(qtbot, w, Qt.Key.Key_Tab)  # Moscow selected
    changes.clear()
    press(qtbot, w, Qt.Key.Key_2)  # accepted as ORG
    assert changes, "the entity was not repainted"
    lo, hi = w.text.map.to_qt(47), w.text.map.to_qt(53)
    assert all(lo <= pos and pos + added <= hi for pos, _removed, added in changes)
    assert w.text.document().toPlainText().startswith("Chinese")  # the text itself was not reset
