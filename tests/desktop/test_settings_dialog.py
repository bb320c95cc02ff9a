"""File → Project settings, driven through its widgets: what it saves lands in the database (with events), as
`tagdesk settings` would store it; a bad value saves nothing; an annotator of a team may read but not change."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from models import store
from models.project import open_project
from models.team import ANNOTATOR, REVIEWER
from tests.models.suggest_support import configure, save_pipeline, write_patterns

TEXTS = ["Ada Lovelace met Acme Corp in Paris.", "Rex barked."]


def events(project) -> list[str]:
    con = sqlite3.connect(project.database_path)
    try:
        rows = con.execute("select json_extract(payload, '$.key') from event where action = 'set_setting'")
        return [k for (k,) in rows]
    finally:
        con.close()


def mapping_row(dialog, model_label: str) -> int:
    rows = [dialog.mapping.item(r, 0).text() for r in range(dialog.mapping.rowCount())]
    return rows.index(model_label)


def choose(qtbot, combo, text: str) -> None:
    """Pick an entry of a drop-down with the keyboard, as a user tabbing through the dialog does."""
    combo.window().activateWindow()  # keys go to the active window
    qtbot.waitUntil(combo.window().isActiveWindow)
    combo.setFocus()
    for _ in range(combo.count()):  # to the top
        qtbot.keyClick(combo, Qt.Key.Key_Up)
    for _ in range(combo.count()):
        if combo.currentText() == text:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"{text!r} is not in {[combo.itemText(i) for i in range(combo.count())]}")


def type_into(qtbot, spin, value: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, value)


@pytest.fixture
def window(make_window):
    w = make_window(TEXTS)
    save_pipeline(w.project.folder / "pipe")
    configure(w.project, pipeline="./pipe")
    return w


def open_dialog(w, qtbot):
    act = next(a for a in w.actions() if a.text() == "Project &settings…")
    act.trigger()
    from desktop.dialogs.settings_dialog import SettingsDialog

    dialog = next(d for d in w.findChildren(SettingsDialog) if d.isVisible())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.pipeline.looking, timeout=10_000)  # the installed pipelines are listed
    return dialog


def test_the_dialog_shows_the_model_labels_and_saves_what_is_changed(window, qtbot, monkeypatch):
    w = window
    write_patterns(w.project.folder / "rules.jsonl", [{"label": "ORG", "pattern": "Acme"}])
    dialog = open_dialog(w, qtbot)
    assert dialog.pipeline.value() == "./pipe"
    # the pipeline folder's own labels are listed, each with what it becomes now
    qtbot.waitUntil(lambda: _has(dialog, "ANIMAL"))
    animal = dialog.mapping.cellWidget(mapping_row(dialog, "ANIMAL"), 1)
    assert animal.currentText() == "dropped (not a label)"
    assert dialog.mapping.cellWidget(mapping_row(dialog, "LOC"), 1).currentText() == "GPE"
    assert dialog.mapping.cellWidget(mapping_row(dialog, "PERSON"), 1).currentText() == "itself (PERSON)"

    choose(qtbot, animal, "PERSON")  # Rex becomes a PERSON
    choose(qtbot, dialog.mapping.cellWidget(mapping_row(dialog, "LOC"), 1), "dropped")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(w.project.folder / "rules.jsonl")], ""))
    qtbot.mouseClick(
        next(b for b in dialog.findChildren(type(dialog.save_button)) if b.text() == "Add pattern file…"),
        Qt.MouseButton.LeftButton,
    )
    assert dialog.patterns.item(0).text() == "rules.jsonl"  # inside the project: kept relative to it
    type_into(qtbot, dialog.overlap, "2")
    type_into(qtbot, dialog.retrain, "50")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.error.text() == ""
    assert dialog.note.text() == "Saved: patterns, label_map, overlap, retrain_every."
    with open_project(w.project.folder) as again:  # what another desktop or `tagdesk settings` reads
        cfg = again.config
        assert cfg.model.patterns == ["rules.jsonl"] and cfg.overlap == 2 and cfg.model.retrain_every == 50
        assert cfg.map_label("ANIMAL") == "PERSON" and cfg.map_label("LOC") is None and cfg.map_label("ORG") == "ORG"
        assert cfg.model.pipeline == "./pipe"
    assert events(w.project)[-4:] == ["patterns", "label_map", "overlap", "retrain_every"]
    assert w._suggester[3] == ["rules.jsonl"]  # the window took the new suggester settings

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.note.text() == "Nothing changed."


def _has(dialog, name: str) -> bool:
    return any(dialog.mapping.item(r, 0).text() == name for r in range(dialog.mapping.rowCount()))


def test_patterns_only_and_a_bad_value_saves_nothing(window, qtbot, monkeypatch):
    w = window
    dialog = open_dialog(w, qtbot)
    choose(qtbot, dialog.pipeline, "None: suggestions from patterns only")
    type_into(qtbot, dialog.overlap, "3")
    dialog.add_patterns([w.project.folder / "a.jsonl", w.project.folder / "a.jsonl"])  # the same file twice
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Nothing was saved: a pattern file is listed twice; list each once"
    with open_project(w.project.folder) as again:
        assert again.config.overlap == 1 and again.config.model.pipeline == "./pipe"
    dialog.patterns.setCurrentRow(1)
    qtbot.mouseClick(dialog.remove_pattern, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == ""
    with open_project(w.project.folder) as again:
        assert (again.config.model.pipeline, again.config.model.patterns, again.config.overlap) == ("", ["a.jsonl"], 3)


def test_an_annotator_of_a_team_reads_the_settings_but_cannot_save(window, qtbot):
    w = window
    with w.project.writing() as s:
        store.change_team(session=s, add=[("rita", REVIEWER), (w.project.annotator, ANNOTATOR)])
    dialog = open_dialog(w, qtbot)
    assert not dialog.save_button.isEnabled()
    assert dialog.note.text() == f"Only a reviewer can change these; you ({w.project.annotator}) can read them."
    assert dialog.pipeline.value() == "./pipe"


def test_cli_settings_check_every_option_before_storing_any(project, cli):
    code, _out, err = cli("settings", project.folder, "--pipeline", "other", "--overlap", "0")
    assert code == 1 and "from 1 to 100" in err
    with open_project(project.folder) as again:
        assert again.config.model.pipeline != "other"
