"""What the annotator sees in the text view, read from its pixels and its own layout: pending vs accepted look,
label tags, the selected entity, right-to-left text, scrolling to an entity, both themes, tooltips, and that an
edit lays out only the block holding its entity."""

from __future__ import annotations

import re

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QToolTip

from tests.desktop.helpers import char_box, drag, press, settle, shot

TEXT = "Chinese Premier Li Qiang met Vladimir Putin in Moscow on Wednesday.\n\nA second paragraph follows."
LI, PUTIN = (16, 24), (29, 43)


def _fill(window, space: int) -> QColor:
    """The background painted behind a space (no ink there)."""
    box = char_box(window, space)
    return QColor(shot(window).pixel(box.center()))


def test_pending_suggestions_look_different_from_accepted_spans(make_window, qtbot):
    w = make_window([TEXT], {0: [(*LI, "PERSON")]})
    drag(qtbot, w, *PUTIN)  # accepted (human)
    w.session.select(None)
    qtbot.wait(10)
    pending, accepted, plain = _fill(w, LI[0] + 2), _fill(w, PUTIN[0] + 8), _fill(w, 28)
    assert plain == QColor("#ffffff")  # plain text stays plain
    assert 0 < pending.hsvSaturation() < accepted.hsvSaturation() / 2  # marked, but far fainter
    assert abs(pending.hue() - QColor("#4e79a7").hue()) < 12 and abs(accepted.hue() - QColor("#4e79a7").hue()) < 12


def test_each_entity_carries_its_label_tag_in_room_made_for_it(make_window, qtbot):
    w = make_window([TEXT], {0: [(*LI, "PERSON")]})
    plain_gap = char_box(w, 27).left() - char_box(w, 26).right()  # "met": letters side by side
    room = char_box(w, LI[1]).left() - char_box(w, LI[1] - 2).right()
    assert room > plain_gap + 20  # the last letter of "Li Qiang" is followed by the tag's room
    image = shot(w)
    box = char_box(w, LI[1] - 1)
    tag = [QColor(image.pixel(x, box.center().y())) for x in range(box.right() - 20, box.right())]
    assert any(c.hsvSaturation() > 100 for c in tag)  # the tag is drawn there, in the label's colour


def test_the_selected_entity_is_ringed_and_scrolled_to(make_window, qtbot):
    far = " ".join(f"Line {n} of a long text." for n in range(600)) + " Putin arrived."
    start = far.index("Putin")
    w = make_window([far], {0: [(start, start + 5, "PERSON")]})
    assert not w.text.viewport().rect().contains(char_box(w, start))
    press(qtbot, w, Qt.Key.Key_Tab)
    box = char_box(w, start)
    assert w.text.viewport().rect().contains(box)
    image = shot(w)
    ring = QColor(image.pixel(box.left() - 2, box.center().y()))
    assert ring.lightness() < 120  # a dark ring in the light theme, around the entity


def test_right_to_left_paragraphs_are_right_aligned_and_hit_tested(make_window, qtbot):
    text = "Li Qiang met Putin.\nقال لي تشيانغ إن الصين وروسيا"
    w = make_window([text])
    latin, arabic = char_box(w, 0), char_box(w, text.index("ق"))
    assert arabic.left() > latin.left() + 200  # the Arabic line starts at the right
    first_word = (text.index("ق"), text.index("ق") + 3)
    vp, alt = w.text.viewport(), Qt.KeyboardModifier.AltModifier
    a, b = char_box(w, first_word[0]), char_box(w, first_word[1] - 1)
    assert a.left() > b.left()  # read from right to left
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, alt, QPoint(a.right() - 1, a.center().y()))
    qtbot.mouseMove(vp, QPoint(b.left() + 1, b.center().y()))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, alt, QPoint(b.left() + 1, b.center().y()))
    settle(w)
    assert [(s.start, s.end) for s in w.session.state.spans] == [first_word]


def test_dark_theme_paints_a_dark_page_with_light_text(make_window, qtbot):
    w = make_window([TEXT], {0: [(*LI, "PERSON")]})
    w.set_theme("dark")
    qtbot.wait(20)
    image = shot(w)
    assert QColor(image.pixel(char_box(w, 26).center().x(), char_box(w, 26).top() + 2)).lightness() < 60
    ink = [
        QColor(image.pixel(x, y))
        for x in range(char_box(w, 0).left(), char_box(w, 7).left())
        for y in range(char_box(w, 0).top(), char_box(w, 0).bottom())
    ]
    assert max(c.lightness() for c in ink) > 180  # light letters
    w.set_theme("light")


def test_hovering_an_entity_shows_what_it_is(make_window, qtbot):
    w = make_window([TEXT], {0: [(*LI, "PERSON")]})
    vp = w.text.viewport()
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication

    point = char_box(w, LI[0] + 2).center()
    QApplication.sendEvent(vp, QHelpEvent(QHelpEvent.Type.ToolTip, point, vp.mapToGlobal(point)))
    assert "PERSON: suggested by the model" in QToolTip.text()
    assert w.text.item_at_point(char_box(w, 26).center()) is None  # plain text: no tooltip
    assert w.text.item_at_point(QPoint(char_box(w, TEXT.index("\n") - 1).right() + 40, point.y())) is None


def test_an_edit_lays_out_only_the_block_holding_its_entity(make_window, qtbot):
    paragraphs = [f"Paragraph {n} mentions Moscow once." for n in range(6)]
    text = "\n".join(paragraphs)
    at = text.index("Moscow", len(paragraphs[0]) + len(paragraphs[1]) + 2)  # in the third paragraph
    w = make_window([text], {0: [(at, at + 6, "GPE")]})
    qtbot.waitUntil(w.text.formatting_done)
    lay = w.text._layout
    made, kept = lay.made, {b: lay.layout(b) for b in range(len(lay))}
    press(qtbot, w, Qt.Key.Key_Tab)
    press(qtbot, w, Qt.Key.Key_2)  # accepted as ORG: its tag's room changes
    qtbot.wait(10)
    assert [(s.start, s.label) for s in w.session.state.spans] == [(at, "ORG")]
    assert lay.made == made + 1
    assert [b for b in kept if lay.layout(b) is not kept[b]] == [2]


def test_a_drag_past_the_bottom_scrolls_and_takes_in_what_scrolled_by(make_window, qtbot):
    text = " ".join(f"Word{n}" for n in range(3000))
    w = make_window([text])
    vp, bar = w.text.viewport(), w.text.verticalScrollBar()
    start = char_box(w, 0)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, start.center())
    below = QPoint(start.center().x(), vp.height() + 30)
    qtbot.mouseMove(vp, below)
    qtbot.waitUntil(lambda: bar.value() > vp.height(), timeout=3000)  # it keeps scrolling while held there
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, below)
    settle(w)
    (span,) = w.session.state.spans
    assert span.start == 0 and span.end > 1000
    assert w.text.char_rect(span.end).top() < vp.height()  # it ends where the drag was let go, on screen


def test_heights_measured_between_events_are_those_of_each_block_laid_out(make_window, qtbot):
    """The pass that makes the scroll bar exact measures short paragraphs several to a layout; each count must
    be what laying that paragraph out alone gives (with its entities' tag room)."""
    paragraphs = [("Li Qiang met Putin in Moscow. " * (n % 9 + 1)).strip() for n in range(300)]
    text = "\n".join(paragraphs) + "\n\n" + "قال لي تشيانغ إن الصين " * 30
    names = [m.start() for m in re.finditer("Li Qiang", text)][::3]
    w = make_window([text], {0: [(m, m + 8, "PERSON") for m in names]})
    assert len(w.session.state.pending) > 100
    lay = w.text._layout
    lay.set_width(lay.width - 1)  # forget what the first screen laid out: everything through the pass
    qtbot.waitUntil(w.text.formatting_done)
    counts = list(lay.lines)
    assert lay.made < len(lay) // 3  # a few blocks per layout
    assert counts == [lay._make(b).lineCount() or 1 for b in range(len(lay))]
    assert max(counts) > 1


def test_a_drag_after_a_byte_order_mark_and_crlf_line_breaks_stores_the_characters_dragged(make_window, qtbot):
    text = "\ufeffFirst line.\r\nSecond line,\r\rLi Qiang met 😀 Putin.\r\n"
    w = make_window([text])
    putin = text.index("Putin")
    drag(qtbot, w, putin, putin + 5)
    assert [(s.start, s.end) for s in w.session.state.spans] == [(putin, putin + 5)]
    assert char_box(w, putin).top() > char_box(w, text.index("Second")).top()  # \r\r: an empty line between


def test_a_step_of_the_pass_over_a_long_paragraph_stops_within_a_few_lines_of_its_slice(
    make_window, qtbot, monkeypatch
):
    """A step of the pass between events stops once its time slice is over, even inside a display block (a 1 MB
    paragraph is cut into blocks of up to 6,000 characters, each ~10 ms to lay out), and goes on from there at the
    next step: with no time at all, a step breaks one line; the counts end as laying each block out alone."""
    import desktop.widgets.text_scroll as text_scroll

    text = "Li Qiang met Putin in Moscow on Wednesday. " * 24_000  # ~1 MB, one paragraph
    names = [m.start() for m in re.finditer("Putin", text[:200_000])][::50]
    w = make_window([text], {0: [(m, m + 5, "PERSON") for m in names]})
    view, lay = w.text, w.text._layout
    assert len(lay) > 100 and max(map(len, text.split("\n"))) > 900_000
    lay.set_width(lay.width - 1)  # forget what the first screen laid out
    monkeypatch.setattr(text_scroll, "PASS_SLICE", 0.0)
    steps = []
    for _ in range(30):
        before = lay.measured_lines
        view._lay_out_some()
        steps.append(lay.measured_lines - before)
    assert max(steps) <= 2 and sum(steps) >= 30  # a line or so a step, and each step gets on
    monkeypatch.setattr(text_scroll, "PASS_SLICE", 0.004)
    qtbot.waitUntil(view.formatting_done, timeout=20_000)
    assert lay.lines == [lay._make(b).lineCount() or 1 for b in range(len(lay))]


def test_a_closed_windows_view_stops_measuring_and_goes_on_when_shown_again(make_window, qtbot):
    """The pass that makes a long text's heights exact runs between events only while the view can be seen: a
    closed window (kept alive by a reference) takes no time from the window the annotator is using."""
    text = "Li Qiang met Putin in Moscow on Wednesday. " * 24_000  # ~1 MB, one paragraph
    w = make_window([text])
    view, lay = w.text, w.text._layout
    assert not view.formatting_done()
    w.close()
    qtbot.wait(50)  # what was already queued is let through
    measured = lay.measured_lines
    qtbot.wait(300)
    assert lay.measured_lines == measured and not view.formatting_done()
    w.show()
    qtbot.waitUntil(view.formatting_done, timeout=20_000)
    assert lay.measured_lines > measured
