"""Importing several annotators' work: `--annotator NAME`, and files that name who made each annotation."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

TEXT1 = "Li Qiang met Vladimir Putin in Moscow."
TEXT2 = "Apple hired Tim Cook in Cupertino today."


def annotations(project) -> list[tuple[str, str, str, list[tuple[int, int, str]]]]:
    """(text, annotator, status, spans) of every stored annotation, read back with plain sqlite3."""
    con = sqlite3.connect(project.database_path)
    try:
        rows = con.execute(
            "select d.text, a.annotator, a.status, a.id from annotation a join document d on d.id = a.document_id "
            "order by d.position, a.annotator"
        ).fetchall()
        return [
            (
                text,
                who,
                status,
                con.execute("select start, end, label from span where annotation_id = ?", (i,)).fetchall(),
            )
            for text, who, status, i in rows
        ]
    finally:
        con.close()


def prodigy(path: Path, tasks: list[dict]) -> Path:
    path.write_text("".join(json.dumps(t) + "\n" for t in tasks), encoding="utf-8")
    return path


def task(text: str, spans: list[tuple[int, int, str]], **keys) -> dict:
    return {
        "text": text,
        "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in spans],
        "answer": "accept",
        **keys,
    }


def test_annotator_option_stores_a_files_annotations_as_that_annotators(project, cli, tmp_path):
    f = prodigy(tmp_path / "bob.jsonl", [task(TEXT1, [(0, 8, "PERSON")])])
    code, out, err = cli("import", project.folder, f, "--annotator", "bob")
    assert code == 0, err
    assert out.endswith("bob.jsonl: 1 new document; 1 with annotations (jsonl)\n")
    assert annotations(project) == [(TEXT1, "bob", "accepted", [(0, 8, "PERSON")])]


def test_each_annotators_export_of_the_same_texts_adds_their_annotation(project, cli, tmp_path):
    """Per-user exports (doccano's, or one file per person): the second file's texts are already in the project,
    so its documents are not stored again, but its annotations are, as the second annotator's."""
    alice = prodigy(tmp_path / "alice.jsonl", [task(TEXT1, [(0, 8, "PERSON")]), task(TEXT2, [(0, 5, "ORG")])])
    bob = prodigy(tmp_path / "bob.jsonl", [task(TEXT1, [(0, 8, "PERSON"), (31, 37, "GPE")]), task(TEXT2, [])])
    assert cli("import", project.folder, alice, "--annotator", "alice")[0] == 0
    code, out, err = cli("import", project.folder, bob, "--annotator", "bob")
    assert code == 0, err
    assert out.endswith("0 new documents; 2 annotations added to documents already in the project\n")
    assert annotations(project) == [
        (TEXT1, "alice", "accepted", [(0, 8, "PERSON")]),
        (TEXT1, "bob", "accepted", [(0, 8, "PERSON"), (31, 37, "GPE")]),
        (TEXT2, "alice", "accepted", [(0, 5, "ORG")]),
        (TEXT2, "bob", "accepted", []),
    ]
    # importing bob's file again changes nothing: his annotations are there already
    code, out, _ = cli("import", project.folder, bob, "--annotator", "bob")
    assert (
        code == 0
        and "0 new documents; 2 already in the project (lines 1, 2); 2 annotations not imported (lines 1, 2: bob" in out
    )
    assert len(annotations(project)) == 4
    # and the two annotators can now be compared
    data = json.loads(cli("agreement", project.folder, "--json")[1])
    assert data["documents"] == 2 and data["annotators"] == ["alice", "bob"]


def test_prodigy_sessions_name_the_annotators(project, cli, tmp_path):
    """One Prodigy dataset annotated in two named sessions ("?session=alice", "?session=bob"): each task's
    `_annotator_id` says whose it is, so one file gives two annotations of the same text."""
    f = prodigy(
        tmp_path / "ner_news.jsonl",
        [
            task(TEXT1, [(0, 8, "PERSON")], _annotator_id="ner_news-alice", _session_id="ner_news-alice"),
            task(
                TEXT1, [(0, 8, "PERSON"), (13, 27, "PERSON")], _annotator_id="ner_news-bob", _session_id="ner_news-bob"
            ),
            task(TEXT2, [(0, 5, "ORG")], _session_id="ner_news-bob"),  # older Prodigy: only _session_id
            # Prodigy's default session (named after its start time) names nobody: the import's annotator
            task(TEXT2, [(12, 20, "PERSON")], _annotator_id="2024-02-06_10-17-19", _session_id="2024-02-06_10-17-19"),
        ],
    )
    code, out, err = cli("import", project.folder, f)
    assert code == 0, err
    assert "2 new documents; 2 with annotations (jsonl); 2 annotations added to documents already" in out
    assert "annotators: ann, ner_news-alice, ner_news-bob" in out
    assert [(t, who) for t, who, _s, _sp in annotations(project)] == [
        (TEXT1, "ner_news-alice"),
        (TEXT1, "ner_news-bob"),
        (TEXT2, "ann"),
        (TEXT2, "ner_news-bob"),
    ]


def test_a_file_naming_annotators_keeps_them_over_the_option(project, cli, tmp_path):
    f = prodigy(
        tmp_path / "mixed.jsonl",
        [task(TEXT1, [(0, 8, "PERSON")], _annotator_id="ds-carol"), task(TEXT2, [(0, 5, "ORG")])],
    )
    assert cli("import", project.folder, f, "--annotator", "dave")[0] == 0
    assert [(t, who) for t, who, _s, _sp in annotations(project)] == [(TEXT1, "ds-carol"), (TEXT2, "dave")]


def test_the_same_annotator_twice_on_one_text_in_one_file_is_a_duplicate(project, cli, tmp_path):
    """Prodigy files can hold a submission twice (same session, same text): the first is stored."""
    f = prodigy(
        tmp_path / "twice.jsonl",
        [task(TEXT1, [(0, 8, "PERSON")], _annotator_id="ds-alice"), task(TEXT1, [], _annotator_id="ds-alice")],
    )
    code, out, _ = cli("import", project.folder, f)
    assert code == 0 and "1 new document; 1 repeated within the file, stored once (line 2 repeats line 1)" in out
    assert annotations(project) == [(TEXT1, "ds-alice", "accepted", [(0, 8, "PERSON")])]
