"""Readable in both themes: chip text from the label colour's luminance meets WCAG AA for every demo colour, the
palette and colours a user picks, measured on the rendered widgets; the light theme's combo highlight is legible;
at 800 px the text column keeps its width and long notices are shown whole."""

from __future__ import annotations

import random
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtGui import QColor

from desktop.contrast import AA_TEXT, contrast, readable_on, text_on
from desktop.widgets.label_bar import chip_colors
from models.config import PALETTE

DEMO = Path(__file__).resolve().parents[2] / "projects" / "demo" / "tagdesk.toml"
DEMO_COLORS = [lab["color"] for lab in tomllib.loads(DEMO.read_text(encoding="utf-8"))["labels"]]
PICKED = [f"#{random.Random(seed).randrange(0x1000000):06x}" for seed in range(200)] + [
    "#ffff00",
    "#000000",
    "#ffffff",
    "#777777",
]


def test_the_old_rule_failed_the_issue_colours():
    """White text on EVENT / FAC / ORG was 1.6, 2.3 and 2.4 to 1: the colours the issue names."""
    assert round(contrast("#edc948", "#ffffff"), 1) == 1.6
    assert contrast("#76b7b2", "#ffffff") < 3 and contrast("#f28e2b", "#ffffff") < 3


@pytest.mark.parametrize("color", sorted(set(DEMO_COLORS + PALETTE + PICKED)))
@pytest.mark.parametrize("dark", [False, True])
def test_every_chip_reads_at_wcag_aa(color, dark):
    c = chip_colors(color, dark=dark)
    # the checked chip: black or white text, whichever contrasts more (one of them always reaches 4.5:1)
    assert contrast(c["checked_text"], c["checked_fill"]) >= AA_TEXT
    assert contrast(c["text"], c["fill"]) >= AA_TEXT
    # a label's own colour used as text (e.g. its name in the import preview) is darkened or lightened to AA
    for bg in ("#ffffff", "#23262b"):
        assert contrast(readable_on(color, bg), bg) >= AA_TEXT


def test_the_near_black_of_the_theme_would_not_do_on_every_fill():
    """Why chips use pure black: the theme's #1d1f23 on NORP's red is 4.49:1, just under AA (white is 3.7:1)."""
    assert contrast("#1d1f23", "#e15759") < AA_TEXT < contrast(text_on("#e15759"), "#e15759")


def _text_and_background(image, rect):
    """The background (most common colour) and the pixel farthest from it in a region: the text's colour."""
    pixels = [
        image.pixelColor(x, y).name()
        for x in range(rect.left(), rect.right())
        for y in range(rect.top(), rect.bottom())
    ]
    background = Counter(pixels).most_common(1)[0][0]
    text = max(set(pixels), key=lambda p: contrast(p, background))
    return text, background


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_rendered_chips_read_at_aa(make_window, qtbot, theme):
    w = make_window(["Text."], labels=("PERSON", "ORG", "GPE", "NORP", "DATE", "EVENT", "FAC"))
    w.set_theme(theme)
    for name, button in w.labels.buttons.items():
        for checked in (True, False):
            button.setChecked(checked)
            image = button.grab().toImage()
            inner = button.rect().adjusted(8, 4, -4, -4)
            text, background = _text_and_background(image, inner)
            assert contrast(text, background) >= AA_TEXT, (theme, name, checked, text, background)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_combo_popup_highlight_is_legible(make_window, qtbot, theme):
    w = make_window(["Text."])
    w.set_theme(theme)
    combo = w.documents.status_filter
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    index = combo.model().index(2, 0)
    view.setCurrentIndex(index)
    view.selectionModel().select(index, view.selectionModel().SelectionFlag.ClearAndSelect)
    qtbot.wait(50)
    rect = view.visualRect(combo.model().index(2, 0))
    image = view.viewport().grab().toImage()
    text, background = _text_and_background(image, rect.adjusted(30, 2, -2, -2))
    assert QColor(background) != QColor(view.palette().base().color()) or theme == "dark"
    assert contrast(text, background) >= AA_TEXT, (text, background)
    combo.hidePopup()


def test_at_800_px_the_text_keeps_its_width_and_long_notices_are_shown_whole(make_window, qtbot):
    w = make_window(["A sentence of a document that wraps at words. " * 20])
    w.resize(800, 600)
    qtbot.wait(50)
    assert w.text.width() >= 340
    assert w.width() <= 800
    long = "This document was changed in another window: it is shown as saved there now. Make your change again."
    w.status.notice(long)
    assert w.status.message.toolTip() == long
    assert w.status.message.text() != long and w.status.message.text().endswith("…")
    assert w.notice_bar.isVisible() and w.notice_bar.label.text() == long
    w.toggle_panel(2)  # F4 folds the entity panel away, giving the text its room
    assert w.splitter.sizes()[2] == 0 and w.text.width() > 500
    assert not w.status.today.isVisible()  # the status bar keeps the essentials


def test_the_list_filters_show_their_entries_whole_at_800_px_and_side_by_side_when_wide(make_window, qtbot):
    w = make_window(["A short document."])
    combos = (w.documents.status_filter, w.documents.label_filter)

    def whole(combo):  # the current entry's text fits in the box beside the arrow
        return combo.width() - 30 >= combo.fontMetrics().horizontalAdvance(combo.currentText())

    w.resize(800, 600)
    qtbot.waitUntil(lambda: all(whole(c) for c in combos))
    w.resize(1400, 700)
    qtbot.waitUntil(lambda: combos[0].y() == combos[1].y() and combos[0].x() < combos[1].x())
    assert all(whole(c) for c in combos)
