"""A 3 MB document in one paragraph through the window: suggested (spacy.blank + patterns), opened, read to its
end by keys, an entity near the end accepted alone, the document accepted, then exported with tokens."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from models.suggest import load_suggester, model_key, suggest_documents
from tests.desktop.helpers import char_box, click, press, status, stored
from tests.models.suggest_support import add_texts, configure, long_text, positions, write_patterns


def test_a_3_mb_document_is_suggested_annotated_and_exported(make_project, make_window, qtbot, cli, tmp_path):
    project = make_project(labels=("PERSON", "ORG", "GPE"))
    write_patterns(project.folder / "p.jsonl", [{"label": "PERSON", "pattern": "Ada Lovelace"}])
    project = configure(project, pipeline="", patterns=["p.jsonl"])
    text = long_text()
    add_texts(project, [text, "A second, short document."])
    assert suggest_documents(project, load_suggester(project)) == 2
    w = make_window(None, project=project)
    w.session.set_model_key(model_key(project))
    persons = positions(text, "Ada Lovelace")
    assert len(w.session.state.pending) == len(persons)
    bar = w.text.verticalScrollBar()
    press(qtbot, w, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert bar.value() == bar.maximum() > 0
    last = persons[-1]
    assert w.text.viewport().rect().contains(char_box(w, last[0]))  # the end of the text is on screen
    click(qtbot, w, last[0] + 2)
    assert w.session.selected == ("suggestion", *last, "PERSON")
    press(qtbot, w, Qt.Key.Key_Return)
    assert stored(w) == [(*last, "PERSON", "pattern")]
    press(qtbot, w, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert bar.value() == 0
    press(qtbot, w, Qt.Key.Key_A)
    assert status(w, 1) == "accepted" and [(a, b) for a, b, _l, _o in stored(w, 1)] == persons
    assert w.session.document_id == 2
    out = tmp_path / "train.jsonl"
    code, _out, err = cli("export", project.folder, "--format", "jsonl", "--out", out)
    assert code == 0, err
    exported = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert [(s["start"], s["end"]) for s in exported["spans"]] == persons
