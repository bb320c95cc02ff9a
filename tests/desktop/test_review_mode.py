"""Review mode (`tagdesk open DIR --review`): a reviewer settles alice's and bob's differences into the gold
annotation with keys, in a real window, and the annotators' own annotations stay as they were."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from models import store
from models.team import GOLD
from tests.desktop.helpers import press, settle
from tests.models.team_support import ALICE, BOB, DOC1, DOC2, annotate


@pytest.fixture
def review_window(make_project, qtbot, settings_path):
    import spacy
    from PySide6.QtCore import QSettings

    from desktop.main_window import MainWindow
    from desktop.snapping import Snapper

    project = make_project()
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=t) for t in (DOC1, "Nobody compared this one.", DOC2)], session=s)
    annotate(project, "alice", ALICE)
    annotate(project, "bob", BOB)
    window = MainWindow(
        project, settings=QSettings(str(settings_path), QSettings.Format.IniFormat), background=False, review=True
    )
    window.session.snapper = Snapper(spacy.blank("en").tokenizer)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow)
    window.text.setFocus()
    return window


def gold(window, document_id: int) -> tuple[str, list[tuple[int, int, str, str]]]:
    with window.project.session() as s:
        ann = store.get_annotation(document_id, session=s, annotator=GOLD)
        spans = [
            (st, en, lab, origin)
            for _i, st, en, lab, origin, _sc in store.span_tuples(document_id, session=s, annotator=GOLD)
        ]
    return (ann.status if ann else "pending"), spans


def shown(window) -> list[tuple[int, int, str, str, bool]]:
    return [(i.start, i.end, i.label, i.origin, i.pending) for i in window.session.state.items()]


def test_reviewer_picks_alternatives_with_keys_and_accepts_the_gold(review_window, qtbot):
    w = review_window
    assert w.windowTitle().endswith("— Review — Tagdesk")
    assert w.session.document_id == 1
    # what both chose is there to accept; of each difference the first alternative shows, with who chose it
    assert shown(w) == [
        (0, 8, "PERSON", "alice, bob", True),
        (13, 27, "PERSON", "alice", True),
        (31, 37, "GPE", "alice", True),
    ]
    assert w.review.title.text() == "Accepted by alice, bob"
    assert "1 agreed" in w.review.summary.text() and "2 differences, 0 settled" in w.review.summary.text()
    rows = [
        [w.review.tree.topLevelItem(g).child(i).text(c) for c in (0, 1, 2, 3)]
        for g in range(2)
        for i in range(w.review.tree.topLevelItem(g).childCount())
    ]
    assert rows == [
        ["1", "PERSON", "Vladimir Putin", "alice"],
        ["2", "PERSON", "Putin", "bob"],
        ["1", "GPE", "Moscow", "alice"],
        ["2", "ORG", "Moscow", "bob"],
    ]

    press(qtbot, w, Qt.Key.Key_Tab)
    press(qtbot, w, Qt.Key.Key_Tab)  # alice's "Vladimir Putin"
    assert w.session.selected == ("suggestion", 13, 27, "PERSON")
    press(qtbot, w, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)  # bob's "Putin" instead
    assert gold(w, 1) == ("pending", [(22, 27, "PERSON", "human")])
    assert w.review.tree.topLevelItem(0).child(1).text(0) == "✓2"  # marked as the gold's

    press(qtbot, w, Qt.Key.Key_Tab)  # alice's GPE "Moscow"
    assert w.session.selected == ("suggestion", 31, 37, "GPE")
    press(qtbot, w, Qt.Key.Key_Delete)  # not GPE: bob's ORG shows in its place
    assert (31, 37, "ORG", "bob", True) in shown(w)
    press(qtbot, w, Qt.Key.Key_Tab)
    press(qtbot, w, Qt.Key.Key_Return)  # accept bob's ORG alone
    assert gold(w, 1) == ("pending", [(22, 27, "PERSON", "human"), (31, 37, "ORG", "human")])

    press(qtbot, w, Qt.Key.Key_A)  # accept: the agreed "Li Qiang" joins the gold
    assert gold(w, 1) == (
        "accepted",
        [(0, 8, "PERSON", "human"), (22, 27, "PERSON", "human"), (31, 37, "ORG", "human")],
    )
    # on to the next document to review (the one nobody compared is skipped)
    assert w.session.document_id == 3
    assert w.documents.list_model.row_of(0).status == "accepted"  # the list shows the gold's statuses

    # the annotators' own annotations are as they were; the gold's history is in the event log
    with w.project.session() as s:
        mine = [(x.start, x.end, x.label) for x in store.spans_of(1, session=s, annotator="alice")]
    assert mine == ALICE[DOC1]
    con = sqlite3.connect(w.project.database_path)
    actions = [a for (a,) in con.execute("select action from event where annotator = ? order by id", (GOLD,))]
    con.close()
    assert actions == ["add_span", "dismiss_suggestion", "add_span", "set_status"]

    # undo goes back through the reviewer's steps, in the store too
    press(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert gold(w, 1)[0] == "pending"


def test_double_click_on_an_alternative_picks_it(review_window, qtbot):
    w = review_window
    row = w.review.tree.topLevelItem(1).child(1)  # bob's ORG "Moscow"
    rect = w.review.tree.visualItemRect(row)
    # a real double-click arrives as a click, then a double-click event
    qtbot.mouseClick(w.review.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(w.review.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    settle(w)
    assert gold(w, 1) == ("pending", [(31, 37, "ORG", "human")])
    assert "1 settled" in w.review.summary.text()


def test_a_document_fewer_than_two_accepted_says_so(review_window, qtbot):
    w = review_window
    w.documents.select_document(2)
    settle(w)
    assert w.session.document_id == 2
    assert w.review.title.text() == "Nothing to compare" and shown(w) == []
    press(qtbot, w, Qt.Key.Key_N)
    assert w.session.document_id == 3


def test_an_annotator_sees_the_review_is_read_only_and_cannot_change_the_gold(make_project, qtbot, settings_path, cli):
    import spacy
    from PySide6.QtCore import QSettings

    from desktop.main_window import MainWindow
    from desktop.snapping import Snapper

    project = make_project()  # its annotator is "ann"
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=t) for t in (DOC1, DOC2)], session=s)
    annotate(project, "alice", ALICE)
    annotate(project, "bob", BOB)
    assert cli("team", project.folder, "--reviewer", "rita", "--add", "ann")[0] == 0
    w = MainWindow(
        project, settings=QSettings(str(settings_path), QSettings.Format.IniFormat), background=False, review=True
    )
    w.session.snapper = Snapper(spacy.blank("en").tokenizer)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.windowHandle().requestActivate()
    qtbot.waitUntil(w.isActiveWindow)
    w.text.setFocus()
    assert w.notice_bar.isVisible() and "ann is an annotator" in w.notice_bar.label.text()
    press(qtbot, w, Qt.Key.Key_A)
    assert gold(w, 1) == ("pending", [])  # refused by the store
    said = w.status.currentMessage() + w.notice_bar.label.text()  # a long message goes to the notice bar
    assert "may change only their own annotations" in said


def test_the_agreement_report_in_the_window(review_window, qtbot):
    """The same figures as `tagdesk agreement` (computed by hand in tests/models/test_agreement.py)."""
    w = review_window
    qtbot.keyClick(w.text, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = next(c for c in w.findChildren(QDialog) if c.objectName() == "agreementDialog")
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20_000)
    assert "2 documents accepted by two or more of 2 annotators (alice, bob)" in dialog.summary.text()
    assert "alpha 0.707" in dialog.summary.text()
    row = dialog.pairs.topLevelItem(0)
    assert [row.text(c) for c in range(6)] == ["alice / bob", "2", "2", "0.545", "0.727", "0.698"]
    assert "Not compared: 1 documents" not in dialog.summary.text()  # the third document nobody accepted
    dialog.close()


def test_statistics_view_shows_each_annotator_and_agreement_by_week(review_window, qtbot):
    """alice and bob: exact span F1 6/11 against each other this week (see tests/models/test_agreement.py)."""
    from datetime import UTC, datetime

    from models.metrics.agreement import iso_week

    dialog = review_window.show_statistics()
    names = [dialog.who.itemText(i) for i in range(dialog.who.count())]
    assert names[2:] == ["alice", "bob"]  # each annotator can be chosen; the gold annotation is no annotator
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=20_000)
    (week,) = dialog.data["weeks"]
    assert week["week"] == iso_week(datetime.now(UTC)) and week["f1"] == {"alice": 0.5455, "bob": 0.5455}
    axes = dialog.plots["agreement"].figure.axes[0]
    assert sorted(line.get_label() for line in axes.get_lines()) == ["alice", "bob"]
    assert [round(y, 4) for y in axes.get_lines()[0].get_ydata()] == [0.5455]
    bars = dialog.plots["people"].figure.axes[0].patches
    assert sorted(b.get_width() for b in bars) == [2, 2]  # alice and bob decided two documents each
    dialog.close()
