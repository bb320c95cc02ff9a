"""The one pair of UTF-16 <-> code point conversions, checked against what Qt really lays out and hit-tests."""

from __future__ import annotations

import unicodedata

import pytest

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


def _view(qtbot, text: str) -> TextView:
    view = TextView()
    qtbot.addWidget(view)
    view.resize(700, 400)
    view.show()
    qtbot.waitExposed(view)
    view.set_document(text, [])
    return view


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_every_substring_round_trips_through_qt(qtbot, name):
    """Each block's QTextLayout holds the block's text; every code-point range maps onto the same characters
    of it; line breaks and a leading byte-order mark are not laid out."""
    text = TEXTS[name]
    view = _view(qtbot, text)
    lay, m = view._layout, view.map
    shown = "".join(text[s:e] for s, e in zip(lay.starts, lay.ends, strict=True))
    assert shown == text.removeprefix("\ufeff").replace("\r\n", "").replace("\r", "").replace("\n", "")
    for b in range(len(lay)):
        start, end = lay.starts[b], lay.ends[b]
        qt_text = lay.layout(b).text()  # what Qt holds, as Python sees it
        utf16 = qt_text.encode("utf-16-le")
        base = m.to_qt(start)
        assert len(utf16) // 2 == m.to_qt(end) - base
        for a in range(start, end + 1):
            assert m.from_qt(m.to_qt(a)) == a
            for z in range(a + 1, min(end, a + 6) + 1):
                units = utf16[2 * (m.to_qt(a) - base) : 2 * (m.to_qt(z) - base)]
                assert units.decode("utf-16-le") == text[a:z], (a, z)


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_the_character_under_the_mouse_is_the_one_drawn_there(qtbot, name):
    text = TEXTS[name]
    view = _view(qtbot, text)
    checked = 0
    for offset, ch in enumerate(text):
        if not unicodedata.category(ch).startswith(("L", "N")) or ord(ch) > 0xFFFF and name == "emoji":
            continue
        if offset + 1 < len(text) and unicodedata.combining(text[offset + 1]):
            continue  # a letter with a combining mark is one character on screen
        rect = view.char_rect(offset)
        assert rect.width() >= 2, (offset, ch)
        assert view.offset_at(rect.center()) == offset, (offset, ch)
        checked += 1
    assert checked > 10


def test_map_shifts():
    m = OffsetMap("😀a\r\nb")
    assert [m.to_qt(i) for i in range(6)] == [0, 2, 3, 4, 5, 6]
    assert [m.from_qt(q) for q in range(7)] == [0, 1, 1, 2, 3, 4, 5]
