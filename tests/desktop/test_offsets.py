"""The one pair of UTF-16 <-> code point conversions, checked against what Qt's document really holds."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextCursor

from desktop.widgets.text_view import OffsetMap, TextView

TEXTS = {
    "emoji": "😀 Li Qiang met Putin 🇷🇺🇨🇳 in Moscow 👩‍👩‍👧.",
    "cjk": "李强在莫斯科会见普京。𠀋𠀍 are outside the BMP.",
    "combining": "Zoe\u0308 and Jose\u0301 met Ame\u0301lie.",
    "rtl": "قال لي تشيانغ إن الصين وروسيا mixed with English שלום.",
    "tabs": "name:\tLi Qiang\norg:\tState Council\t(China)",
    "crlf": "Line one, Li Qiang.\r\nLine two, Putin.\r\n\r\nLast 😀 line.\rold mac",
    "bom": "\ufeffLi Qiang met Putin in Moscow.\ufeff (a mark inside stays)",
}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_every_substring_round_trips_through_qt(qtbot, name):
    text = TEXTS[name]
    view = TextView()
    qtbot.addWidget(view)
    view.set_document(text, [])
    m = view.map
    qt_text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\u2029")
    assert view.document().characterCount() - 1 == len(qt_text.encode("utf-16-le")) // 2
    cursor = QTextCursor(view.document())
    for start in range(len(text)):
        assert (
            m.from_qt(m.to_qt(start)) == start
            or text[start - 1 : start + 1] == "\r\n"
            or (start, text[0]) == (0, "\ufeff")
        )
        for end in range(start + 1, min(len(text), start + 6) + 1):
            cursor.setPosition(m.to_qt(start))
            cursor.setPosition(m.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
            expect = (
                text[start:end]
                .removeprefix("\ufeff" if start == 0 else "")
                .replace("\r\n", "\n")
                .replace("\r", "\n")
                .replace("\n", "\u2029")
            )
            if text[start - 1 : start + 1] == "\r\n":  # between \r and \n: Qt has one separator for both
                continue
            assert cursor.selectedText() == expect, (start, end)


def test_map_shifts():
    m = OffsetMap("😀a\r\nb")
    assert [m.to_qt(i) for i in range(6)] == [0, 2, 3, 4, 4, 5]
    assert [m.from_qt(q) for q in range(6)] == [0, 1, 1, 2, 4, 5]
