"""The Export dialog's options that `tagdesk export` has: --offsets for doccano and Label Studio, --suggestions for
JSONL, the team's annotation or one annotator's own; each enabled only where it applies, driven by keys and clicks,
checked in the files written."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from models import store
from models.suggest import model_key
from tests.desktop.test_settings_dialog import choose

TEXTS = ["😀 Li Qiang met Putin.", "Merkel visited Berlin.", "Nobody here."]
#          ^ one code point, two UTF-16 units: every offset after it differs by one


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def export_dialog(w, qtbot, fmt: str):
    dialog = w.show_export()
    qtbot.addWidget(dialog)
    choose(
        qtbot,
        dialog.format,
        next(dialog.format.itemText(i) for i in range(dialog.format.count()) if dialog.format.itemData(i) == fmt),
    )
    return dialog


def run(dialog, qtbot, out) -> str:
    dialog.out.setText(str(out))
    click(qtbot, dialog.go)
    qtbot.waitUntil(lambda: dialog.result_text.isVisible() and dialog.go.isEnabled(), timeout=20_000)
    return dialog.result_text.toPlainText()


def accept(w, doc, spans, annotator=None):
    with w.project.writing() as s:
        store.set_status(doc, "accepted", session=s, annotator=annotator or w.project.annotator, add_spans=spans)


def test_doccano_offsets_in_utf16_units_and_only_for_formats_that_count_them(make_window, qtbot, tmp_path):
    w = make_window(TEXTS)
    accept(w, 1, [(16, 21, "PERSON", "human", None)])  # "Putin"
    dialog = export_dialog(w, qtbot, "spacy")
    assert not dialog.offsets.isEnabled() and "doccano" in dialog.offsets.toolTip()
    assert not dialog.suggestions.isEnabled()
    choose(
        qtbot,
        dialog.format,
        next(dialog.format.itemText(i) for i in range(dialog.format.count()) if dialog.format.itemData(i) == "doccano"),
    )
    assert dialog.offsets.isEnabled() and not dialog.align_row.isEnabled() and not dialog.suggestions.isEnabled()
    choose(qtbot, dialog.offsets, "UTF-16 units (JavaScript string length)")
    text = run(dialog, qtbot, tmp_path / "out.jsonl")
    assert "Exported 1 document, 1 entity as doccano" in text, text
    (line,) = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["label"] == [[17, 22, "PERSON"]]  # one more than the code points 16-21
    choose(qtbot, dialog.offsets, "code points (Python characters)")
    run(dialog, qtbot, tmp_path / "cp.jsonl")
    assert json.loads((tmp_path / "cp.jsonl").read_text(encoding="utf-8"))["label"] == [[16, 21, "PERSON"]]


def test_suggestions_of_the_pending_documents_with_their_scores(make_window, qtbot, tmp_path):
    w = make_window(TEXTS)
    accept(w, 3, [])
    key = model_key(w.project)  # the project's own suggester's key, as `tagdesk export --suggestions` reads
    with w.project.writing() as s:
        store.store_suggestions(
            2, key, [{"start": 0, "end": 6, "label": "PERSON", "origin": "model", "score": 0.62}], session=s
        )
        store.store_suggestions(
            3, key, [{"start": 0, "end": 6, "label": "ORG", "origin": "model", "score": 0.9}], session=s
        )
        s.commit()
    dialog = export_dialog(w, qtbot, "jsonl")
    assert dialog.suggestions.isEnabled()
    dialog.suggestions.setFocus()
    qtbot.keyClick(dialog.suggestions, Qt.Key.Key_Space)
    assert dialog.suggestions.isChecked()
    assert not dialog.status_row.isEnabled() and not dialog.dev.isEnabled() and not dialog.align_row.isEnabled()
    assert dialog.out.text() == str(w.project.folder / "exports" / "suggestions.jsonl")
    assert dialog.annotator.currentData() == w.project.annotator  # the pending documents are someone's
    dialog.out.clear()
    text = run(dialog, qtbot, w.project.folder / "exports" / "suggestions.jsonl")
    assert "suggestions for 1 pending document, 1 suggested entity with their scores" in text, text
    (line,) = (w.project.folder / "exports" / "suggestions.jsonl").read_text(encoding="utf-8").splitlines()
    task = json.loads(line)
    assert task["text"] == TEXTS[1] and [(s["label"], s["score"]) for s in task["spans"]] == [("PERSON", 0.62)]
    qtbot.keyClick(dialog.suggestions, Qt.Key.Key_Space)  # back to annotations: the options come back
    assert dialog.status_row.isEnabled() and dialog.align_row.isEnabled()


def test_the_team_export_leaves_out_what_annotators_differ_on_and_one_annotator_is_a_choice(
    make_window, qtbot, tmp_path
):
    w = make_window(TEXTS)
    me = w.project.annotator
    accept(w, 2, [(0, 6, "PERSON", "human", None)])
    accept(w, 2, [(0, 6, "ORG", "human", None)], annotator="bea")
    accept(w, 3, [])
    dialog = export_dialog(w, qtbot, "jsonl")
    assert dialog.annotator.currentData() is None  # the team's, as `tagdesk export` without --annotator
    text = run(dialog, qtbot, tmp_path / "team.jsonl")
    assert "Exported 1 document" in text and "Left out: 1 document where the annotators differ" in text, text
    choose(qtbot, dialog.annotator, "bea's own")
    text = run(dialog, qtbot, tmp_path / "bea.jsonl")
    lines = [json.loads(x) for x in (tmp_path / "bea.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(x["text"], [s["label"] for s in x["spans"]]) for x in lines] == [(TEXTS[1], ["ORG"])]
    choose(qtbot, dialog.annotator, f"{me}'s own")
    run(dialog, qtbot, tmp_path / "mine.jsonl")
    mine = [json.loads(x) for x in (tmp_path / "mine.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [[s["label"] for s in x["spans"]] for x in mine] == [["PERSON"], []]
