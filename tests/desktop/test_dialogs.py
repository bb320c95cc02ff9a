"""Every dialog of the application driven through its real widgets, asserting on the database and the files."""

from __future__ import annotations

import json
import sqlite3

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from models import store
from models.config import CONFIG_NAME, load_config
from tests.desktop.helpers import press, settle, status

TEXT = "Chinese Premier Li Qiang met Vladimir Putin in Moscow on Wednesday."
TEXTS = [TEXT, "Second article about Berlin.", "Third article about Paris."]


def rows(project, sql):
    con = sqlite3.connect(project.database_path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def app_controller(tmp_path):
    from desktop.app import Controller, set_controller

    ctl = Controller(QSettings(str(tmp_path / "app-settings.ini"), QSettings.Format.IniFormat))
    set_controller(ctl)
    yield ctl
    ctl.quitting = True
    for w in list(ctl.windows):
        w.close()
    if ctl.start_screen is not None:
        ctl.start_screen.close()
    set_controller(None)


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# ------------------------------------------------------------------ new project, start screen, open, close


def test_new_project_dialog_creates_the_project_with_its_labels(app_controller, qtbot, tmp_path):
    from desktop.dialogs.new_project_dialog import NewProjectDialog

    dialog = NewProjectDialog(where=tmp_path)
    qtbot.addWidget(dialog)
    made = []
    dialog.created.connect(made.append)
    dialog.name.clear()
    qtbot.keyClicks(dialog.name, "news")
    dialog.table.item(2, 0).setText("PLACE")  # rename the third default label
    dialog.table.item(1, 2).setText("o")  # ORG on key o
    dialog.add_label("EVENT")
    dialog.pipeline.setCurrentIndex(dialog.pipeline.findData(""))  # patterns only
    dialog.patterns.addItem("rules.jsonl")
    click(qtbot, dialog.create_button)
    assert dialog.error.text() == ""
    project = made[0]
    try:
        assert project.folder == tmp_path / "news"
        assert [(lab.name, lab.key) for lab in project.config.labels] == [
            ("PERSON", "1"),
            ("ORG", "o"),
            ("PLACE", "3"),
            ("EVENT", "4"),
        ]
        assert project.config.model.pipeline == "" and project.config.model.patterns == ["rules.jsonl"]
        assert load_config(tmp_path / "news" / CONFIG_NAME).labels is None
    finally:
        project.close()


def test_new_project_dialog_says_what_is_wrong(app_controller, qtbot, tmp_path):
    from desktop.dialogs.new_project_dialog import NewProjectDialog

    dialog = NewProjectDialog(where=tmp_path)
    qtbot.addWidget(dialog)
    dialog.table.item(1, 2).setText("a")
    click(qtbot, dialog.create_button)
    assert "a accepts the document" in dialog.error.text()
    assert not (tmp_path / "my-project").exists()


def test_start_screen_opens_a_recent_project_and_comes_back_when_it_closes(app_controller, make_project, qtbot):
    from desktop.app import add_recent

    project = make_project()
    folder = project.folder
    project.close()
    add_recent(app_controller.settings, folder)
    screen = app_controller.show_start()
    qtbot.addWidget(screen)
    assert screen.recent.count() == 1 and folder.name in screen.recent.item(0).text()
    click(qtbot, screen.open_selected)
    assert len(app_controller.windows) == 1
    window = app_controller.windows[0]
    assert window.project.folder == folder
    window.close()
    qtbot.waitUntil(lambda: app_controller.start_screen is not None and app_controller.start_screen.isVisible())
    assert app_controller.windows == []


def test_opening_a_folder_that_is_no_project_says_so_and_stays(app_controller, qtbot, tmp_path):
    assert app_controller.open(tmp_path) is None
    assert "no tagdesk.toml here" in app_controller.last_error
    assert app_controller.windows == []


# ------------------------------------------------------------------ import


def test_import_dialog_guesses_previews_and_imports_with_the_cli_report(make_window, qtbot, tmp_path):
    w = make_window(TEXTS)
    csv = tmp_path / "notes.csv"
    csv.write_text("id,body\n1,Rain in Lisbon.\n2,Sun in Porto.\n", encoding="utf-8")
    tasks = tmp_path / "cats.jsonl"
    tasks.write_text(
        json.dumps({"text": "A cat met Li Qiang.", "spans": [{"start": 2, "end": 5, "label": "ANIMAL"}]}) + "\n",
        encoding="utf-8",
    )
    dialog = w.show_import()
    qtbot.addWidget(dialog)
    dialog.add_paths([csv, tasks])
    qtbot.waitUntil(lambda: not dialog.reading(), timeout=10000)
    assert dialog.format.currentData() == "jsonl" and "Guessed" in dialog.guess_note.text()
    assert "cat" in dialog.preview.toPlainText() and "ANIMAL" in dialog.preview.toPlainText()
    assert "Labels this project lacks: ANIMAL" in dialog.about.text()
    assert dialog.add_labels.isVisible()
    dialog.files.setCurrentRow(0)
    assert dialog.format.currentData() == "csv"
    dialog.column.setCurrentText("body")  # the CSV's text is in "body"
    qtbot.waitUntil(lambda: not dialog.reading(), timeout=10000)
    assert "Rain in Lisbon." in dialog.preview.toPlainText()
    dialog.add_labels.setChecked(True)
    click(qtbot, dialog.go)
    qtbot.waitUntil(lambda: "cats.jsonl" in dialog.report.toPlainText(), timeout=15000)
    report = dialog.report.toPlainText()
    assert "✓" in report and "notes.csv: 2 new documents" in report and "labels added to the project: ANIMAL" in report
    with w.project.session() as s:
        assert store.document_count(session=s) == 6
    assert "ANIMAL" in w.project.config.label_names
    qtbot.waitUntil(lambda: "ANIMAL" in w.labels.buttons)  # the window shows the new label
    assert w.documents.list_model.total() == 6


def test_import_dialog_shows_a_bad_file_before_and_after(make_window, qtbot, tmp_path):
    w = make_window(TEXTS)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{"text": \n', encoding="utf-8")
    dialog = w.show_import()
    qtbot.addWidget(dialog)
    dialog.add_paths([bad])
    qtbot.waitUntil(lambda: not dialog.reading(), timeout=10000)
    assert "cannot be imported" in dialog.preview.toPlainText() and "bad.jsonl:2" in dialog.preview.toPlainText()
    click(qtbot, dialog.go)
    qtbot.waitUntil(lambda: "✗" in dialog.report.toPlainText(), timeout=10000)
    assert "nothing from this file was stored" in dialog.report.toPlainText()
    with w.project.session() as s:
        assert store.document_count(session=s) == 3


def test_cancelling_an_import_stores_nothing_from_the_file(make_window, qtbot, tmp_path):
    w = make_window(TEXTS)
    big = tmp_path / "big.txt"
    big.write_text("".join(f"Line number {i} of a long file.\n" for i in range(20000)), encoding="utf-8")
    dialog = w.show_import()
    qtbot.addWidget(dialog)
    dialog.add_paths([big])
    qtbot.waitUntil(lambda: not dialog.reading(), timeout=10000)
    dialog.by_line.setChecked(True)
    qtbot.waitUntil(lambda: not dialog.reading(), timeout=10000)
    click(qtbot, dialog.go)
    click(qtbot, dialog.panel.cancel)
    qtbot.waitUntil(
        lambda: "Stopped" in dialog.report.toPlainText() or "✓" in dialog.report.toPlainText(), timeout=20000
    )
    assert "import stopped; nothing from this file was stored" in dialog.report.toPlainText()
    with w.project.session() as s:
        assert store.document_count(session=s) == 3


# ------------------------------------------------------------------ export and backup


def _accept_all(w, spans=()):
    with w.project.writing() as s:
        for doc in (1, 2, 3):
            store.set_status(
                doc, "accepted", session=s, annotator=w.project.annotator, add_spans=spans if doc == 1 else ()
            )


def test_export_dialog_writes_train_and_dev_spacy_files(make_window, qtbot, tmp_path):
    w = make_window(TEXTS)
    _accept_all(w, [(16, 24, "PERSON", "human", None)])
    dialog = w.show_export()
    qtbot.addWidget(dialog)
    assert dialog.format.currentData() == "spacy"
    dialog.dev.setValue(0.35)
    dialog.out.setText(str(tmp_path / "corpus"))
    click(qtbot, dialog.go)
    qtbot.waitUntil(lambda: dialog.result_text.isVisible(), timeout=20000)
    text = dialog.result_text.toPlainText()
    # each document's side comes from a hash of its text (models/split.py), the same in every export
    from models.split import dev_hashes
    from models.store import text_hash

    n_dev = len(dev_hashes([text_hash(t) for t in TEXTS], 0.35, 0))
    assert f"Exported 3 documents (train {3 - n_dev}, dev {n_dev})" in text, text
    assert (tmp_path / "corpus" / "train.spacy").stat().st_size > 0 and (tmp_path / "corpus" / "dev.spacy").exists()


def test_export_dialog_explains_spans_off_tokens_and_expand_fixes_it(make_window, qtbot, tmp_path):
    w = make_window(TEXTS)
    _accept_all(w, [(17, 24, "PERSON", "human", None)])  # "i Qiang": not on a token boundary
    dialog = w.show_export()
    qtbot.addWidget(dialog)
    dialog.format.setCurrentIndex(dialog.format.findData("jsonl"))
    dialog.out.setText(str(tmp_path / "out.jsonl"))
    click(qtbot, dialog.go)
    qtbot.waitUntil(lambda: dialog.result_text.isVisible(), timeout=20000)
    assert "cannot be written as jsonl tokens" in dialog.result_text.toPlainText()
    assert "grow to whole tokens" in dialog.result_text.toPlainText()
    assert not (tmp_path / "out.jsonl").exists()
    dialog.align.button(1).setChecked(True)  # grow to whole tokens
    click(qtbot, dialog.go)
    qtbot.waitUntil(lambda: "Exported" in dialog.result_text.toPlainText(), timeout=20000)
    first = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert [(s["start"], s["end"]) for s in first["spans"]] == [(16, 24)]


def test_backup_dialog_writes_a_copy_that_opens(make_window, qtbot):
    w = make_window(TEXTS)
    dialog = w.back_up()
    qtbot.addWidget(dialog)
    click(qtbot, dialog.go)
    qtbot.waitUntil(lambda: dialog.backup_result is not None, timeout=20000)
    path = dialog.backup_result.path
    assert path.parent == w.project.folder / "backups" and "Backed up to" in dialog.text.text()
    con = sqlite3.connect(path)
    assert con.execute("select count(*) from document").fetchone() == (3,)
    con.close()


# ------------------------------------------------------------------ labels


def test_labels_dialog_renames_with_undo_and_removes_after_asking(make_window, qtbot, monkeypatch):
    w = make_window(TEXTS)
    with w.project.writing() as s:
        store.add_span(1, 16, 24, "PERSON", session=s, annotator=w.project.annotator)
        store.add_span(2, 21, 27, "GPE", session=s, annotator=w.project.annotator)
    w.session.reload_document()
    dialog = w.show_labels()
    qtbot.addWidget(dialog)
    answers = iter(["HUMAN"])
    monkeypatch.setattr(dialog, "ask_text", lambda *a, **k: next(answers))
    dialog.list.setCurrentRow(0)
    click(qtbot, dialog.buttons["Rename…"])
    settle(w)  # written on the window's writer thread, like every edit
    assert rows(w.project, "select label from span order by label") == [("GPE",), ("HUMAN",)]
    assert w.project.config.label_names[0] == "HUMAN"
    assert "HUMAN" in w.labels.buttons and "PERSON" not in w.labels.buttons
    assert [i.label for i in w.session.state.spans] == ["HUMAN"]
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)  # the shortcut is the window's: it must be the active one
    press(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the rename
    assert rows(w.project, "select label from span order by label") == [("GPE",), ("PERSON",)]
    assert "PERSON" in w.labels.buttons
    # remove GPE: asked, with the count; "no" keeps it
    asked = []
    monkeypatch.setattr(dialog, "confirm", lambda text: asked.append(text) or False)
    dialog._select("GPE")
    click(qtbot, dialog.buttons["Remove…"])
    assert asked == ["GPE is on 1 entity in 1 document. Remove the label and those entities?"]
    assert "GPE" in w.project.config.label_names
    monkeypatch.setattr(dialog, "confirm", lambda text: True)
    click(qtbot, dialog.buttons["Remove…"])
    assert "GPE" not in w.project.config.label_names
    assert rows(w.project, "select label from span") == [("PERSON",)]
    # a key another label has is refused, in the dialog
    monkeypatch.setattr(dialog, "ask_text", lambda *a, **k: "1")
    dialog._select("ORG")
    click(qtbot, dialog.buttons["Key…"])
    assert "key '1' is PERSON's" in dialog.error.text()


def test_a_label_added_elsewhere_appears_in_the_window(make_window, qtbot):
    from models import labels
    from models.project import open_project

    w = make_window(TEXTS)
    other = open_project(w.project.folder)  # the command line, or another desktop
    try:
        labels.add_label(other, "EVENT", key="e")
    finally:
        other.close()
    # the window's watcher sees the label's event (no document) and shows the new label, without a restart
    qtbot.waitUntil(lambda: "EVENT" in w.labels.buttons, timeout=10_000)
    w.text.setFocus()
    press(qtbot, w, Qt.Key.Key_E)
    assert w.session.active_label == "EVENT"


# ------------------------------------------------------------------ preferences, notes, decisions, statistics


def test_preferences_save_the_name_in_the_user_file_and_the_view_in_qsettings(make_window, qtbot):
    from desktop.dialogs.preferences_dialog import PreferencesDialog
    from models.user_settings import load_user_settings

    w = make_window(TEXTS)
    dialog = PreferencesDialog(w.prefs, w.project, w)
    qtbot.addWidget(dialog)
    dialog.applied.connect(w.apply_preferences)
    renamed = []
    dialog.name_changed.connect(renamed.append)
    dialog.name.setText("Zoë")
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.font_size.setValue(13)
    dialog.suggestions.setCurrentIndex(dialog.suggestions.findData("strong"))
    dialog.accept()
    assert load_user_settings().annotator == "Zoë" and renamed == ["Zoë"]
    assert w.theme == "dark" and "font-size: 13pt" in QApplication.instance().styleSheet()
    assert w.settings.value("suggestion_style") == "strong"
    bad = PreferencesDialog(w.prefs, w.project, w)
    qtbot.addWidget(bad)
    bad.name.setText("   ")
    bad.accept()
    assert "empty" in bad.error.text() and load_user_settings().annotator == "Zoë"


def test_flag_and_comment_are_saved_and_filtered_on(make_window, qtbot):
    w = make_window(TEXTS)
    w.note.flag.setCurrentIndex(w.note.flag.findData("needs review"))
    assert store_note(w, 1) == ("", "needs review")
    w.note.comment.setFocus()
    qtbot.keyClicks(w.note.comment, "Is Putin the subject?")
    qtbot.keyClick(w.note.comment, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert store_note(w, 1) == ("Is Putin the subject?", "needs review")
    w.documents.flag_filter.setCurrentIndex(w.documents.flag_filter.findData(store.ANY_FLAG))
    qtbot.waitUntil(lambda: w.documents.list_model.total() == 1)
    w.documents.flag_filter.setCurrentIndex(0)
    qtbot.waitUntil(lambda: w.documents.list_model.total() == 3)
    # an unsaved comment is saved when the document changes
    w.note.comment.setPlainText("half-typed")
    w.documents.select_row(1)
    assert store_note(w, 1)[0] == "half-typed"


def store_note(w, doc):
    settle(w)  # notes are written on the window's writer thread, like every edit
    with w.project.session() as s:
        note = store.note_of(doc, session=s, annotator=w.project.annotator)
    return note.comment, note.flag


def test_decision_buttons_do_what_the_keys_do(make_window, qtbot):
    w = make_window(TEXTS)
    assert "A" in w.decisions.buttons["Accept"].text() and "Backspace" in w.decisions.buttons["Back"].text()
    click(qtbot, w.decisions.buttons["Reject"])
    settle(w)
    assert status(w, 1) == "rejected" and w.session.document_id == 2
    click(qtbot, w.decisions.buttons["Back"])
    settle(w)
    assert status(w, 1) == "pending" and w.session.document_id == 1
    click(qtbot, w.decisions.buttons["Accept"])
    settle(w)
    assert status(w, 1) == "accepted"
    assert w.status.done.text().startswith("1 / 3 done")


def test_statistics_plot_what_the_store_counts(make_window, qtbot):
    w = make_window(TEXTS)
    with w.project.writing() as s:
        store.set_status(
            1,
            "accepted",
            session=s,
            annotator=w.project.annotator,
            seconds=30,
            add_spans=[(16, 24, "PERSON", "human", None)],
        )
        store.set_status(2, "rejected", session=s, annotator=w.project.annotator, seconds=90)
    dialog = w.show_statistics()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=20000)
    assert "3 documents, 2 decided" in dialog.summary.text() and "1 min a document" in dialog.summary.text()
    status_bars = dialog.plots["status"].figure.axes[0].patches
    assert [round(b.get_height()) for b in status_bars] == [1, 1, 1, 0]  # pending, accepted, rejected, ignored
    label_bars = dialog.plots["labels"].figure.axes[0].patches
    assert [round(b.get_width()) for b in label_bars] == [1]
    assert sum(round(b.get_height()) for b in dialog.plots["hours"].figure.axes[0].patches) == 2
    assert sum(round(b.get_height()) for b in dialog.plots["days"].figure.axes[0].patches) == 2


def test_guidelines_panel_toggles_with_f2_and_shows_the_file(make_window, qtbot):
    w = make_window(TEXTS)
    (w.project.folder / "guidelines.md").write_text("# Our rules\n\nTitles are not PERSON.\n", encoding="utf-8")
    press(qtbot, w, Qt.Key.Key_F2)
    assert w.guidelines.isVisible()
    assert "Titles are not PERSON." in w.guidelines.browser.toPlainText()
    press(qtbot, w, Qt.Key.Key_F2)
    assert not w.guidelines.isVisible()


def test_about_names_the_version_and_f1_has_no_empty_heading(make_window, qtbot):
    from models import __version__

    w = make_window(TEXTS)
    box = w.show_about()
    qtbot.addWidget(box)
    assert __version__ in box.text()
    dialog = w.show_shortcuts()
    qtbot.addWidget(dialog)
    tree = dialog.tree
    items = [(tree.topLevelItem(i).text(0), tree.topLevelItem(i).text(1)) for i in range(tree.topLevelItemCount())]
    heads = [i for i, (keys, _t) in enumerate(items) if keys == ""]
    for a, b in zip(heads, [*heads[1:], len(items)], strict=True):
        assert b - a > 1, f"heading {items[a][1]} has nothing under it"
    assert ("F2", "Guidelines") in items and ("F9", "Statistics") in items
    assert "Only Tab and Shift+Tab move the selection" in dialog.note.text()
