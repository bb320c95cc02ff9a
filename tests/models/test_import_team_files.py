"""Files that name their annotators: each annotation is stored as its own annotator's (Label Studio's
`completed_by` with several annotations per task, doccano's old per-user `annotations` and its per-member zip
export), through the same import path as Prodigy's `_annotator_id`. On both backends."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from formats_util import INTEROP

from models import store
from models.errors import ImportFileError
from tests.dbtools import raw_rows

pytestmark = pytest.mark.backends

TEXT1 = "need food 1166 melville st"
TEXT2 = "shelter tonight near granville st"


def stored(project) -> list[tuple[str, str, str, list[tuple[int, int, str]]]]:
    """(text, annotator, status, spans) of every annotation, in project order then by annotator."""
    rows = raw_rows(
        project,
        "SELECT d.text, a.annotator, a.status, a.id FROM annotation a JOIN document d ON d.id = a.document_id "
        "ORDER BY d.position, a.annotator",
    )
    spans: dict[int, list[tuple[int, int, str]]] = {}
    for ann, start, end, label in raw_rows(
        project, 'SELECT annotation_id, start, "end", label FROM span ORDER BY annotation_id, start'
    ):
        spans.setdefault(ann, []).append((start, end, label))
    return [(text, who, status, spans.get(ann, [])) for text, who, status, ann in rows]


def ls_result(start: int, end: int, text: str, label: str, rid: str) -> dict:
    """One span result as Label Studio 1.x writes it."""
    return {
        "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
        "id": rid,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "origin": "manual",
    }


def ls_annotation(ann_id: int, user, results: list[dict], *, cancelled: bool = False) -> dict:
    return {
        "id": ann_id,
        "completed_by": user,
        "result": results,
        "was_cancelled": cancelled,
        "ground_truth": False,
        "created_at": "2025-01-25T05:10:37.253165Z",
        "updated_at": "2025-01-25T05:10:37.253165Z",
        "lead_time": 49.73,
        "prediction": {},
        "result_count": len(results),
        "task": 1,
        "project": 1,
        "updated_by": user if isinstance(user, int) else 1,
        "parent_prediction": None,
        "parent_annotation": None,
    }


def ls_task(task_id: int, text: str, annotations: list[dict]) -> dict:
    return {
        "id": task_id,
        "annotations": annotations,
        "file_upload": "d250238b-inquiries_training_data.txt",
        "drafts": [],
        "predictions": [],
        "data": {"text": text},
        "meta": {},
        "inner_id": task_id,
        "total_annotations": len(annotations),
        "cancelled_annotations": sum(a["was_cancelled"] for a in annotations),
        "total_predictions": 0,
        "project": 1,
    }


def ls_export(path: Path, tasks: list[dict]) -> Path:
    """A Label Studio 1.x JSON export: a pretty-printed array of tasks."""
    path.write_text(json.dumps(tasks, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def two_annotators_export(path: Path) -> Path:
    """Two tasks annotated by users 1 and 2 (a project with "annotations per task: 2"); user 2 cancelled the
    second task."""
    return ls_export(
        path,
        [
            ls_task(
                1,
                TEXT1,
                [
                    ls_annotation(
                        1,
                        1,
                        [
                            ls_result(5, 9, TEXT1, "RESOURCE", "hYyme5CVdz"),
                            ls_result(10, 26, TEXT1, "ADDRESS", "ytz0DpgIlz"),
                        ],
                    ),
                    ls_annotation(2, 2, [ls_result(10, 26, TEXT1, "ADDRESS", "Qd81tEaXk2")]),
                ],
            ),
            ls_task(
                2,
                TEXT2,
                [
                    ls_annotation(3, 1, [ls_result(0, 7, TEXT2, "RESOURCE", "a8Jd0lmQpz")]),
                    ls_annotation(4, 2, [], cancelled=True),
                ],
            ),
        ],
    )


def test_label_studio_tasks_with_two_annotations_store_one_per_user(make_project, cli, tmp_path):
    project = make_project(("RESOURCE", "ADDRESS"))
    f = two_annotators_export(tmp_path / "project-1-at-2025-01-25-05-11-0b3f.json")
    code, out, err = cli("import", project.folder, f)
    assert code == 0, err
    assert "2 new documents" in out and "annotators: user1, user2" in out
    assert stored(project) == [
        (TEXT1, "user1", "accepted", [(5, 9, "RESOURCE"), (10, 26, "ADDRESS")]),
        (TEXT1, "user2", "accepted", [(10, 26, "ADDRESS")]),
        (TEXT2, "user1", "accepted", [(0, 7, "RESOURCE")]),
        (TEXT2, "user2", "ignored", []),  # a cancelled annotation: that annotator skipped the task
    ]
    data = json.loads(cli("agreement", project.folder, "--json")[1])
    assert data["documents"] == 1 and data["annotators"] == ["user1", "user2"]


def test_label_studio_users_given_as_objects_are_named_by_email(make_project, tmp_path):
    from models.formats import import_file

    project = make_project(("RESOURCE", "ADDRESS"))
    alice = {"id": 7, "email": "alice@example.org", "first_name": "Alice", "last_name": "Ng"}
    bob = {"id": 9, "email": "", "first_name": "Bob", "last_name": "Roy"}
    f = ls_export(
        tmp_path / "export.json",
        [
            ls_task(
                1,
                TEXT1,
                [
                    ls_annotation(1, alice, [ls_result(5, 9, TEXT1, "RESOURCE", "r1")]),
                    ls_annotation(2, bob, [ls_result(5, 9, TEXT1, "RESOURCE", "r2")]),
                ],
            )
        ],
    )
    report = import_file(project, f)
    assert report.annotators == ["Bob Roy", "alice@example.org"]
    assert [(who, spans) for _t, who, _s, spans in stored(project)] == [
        ("Bob Roy", [(5, 9, "RESOURCE")]),
        ("alice@example.org", [(5, 9, "RESOURCE")]),
    ]


def test_one_numbered_label_studio_user_is_the_imports_annotator(make_project, cli):
    """A real export by one user (`completed_by` 1 means nothing outside that server): --annotator names it."""
    project = make_project(("Date",))
    f = INTEROP / "label_studio/label-studio__examples_named_entity__annotations_1.json"
    code, _out, err = cli("import", project.folder, f, "--annotator", "rita")
    assert code == 0, err
    assert [(who, status, spans) for _t, who, status, spans in stored(project)] == [
        ("rita", "accepted", [(343, 354, "Date")])
    ]


def test_doccanos_old_export_keeps_each_users_annotation(make_project, cli):
    """The real doccano-transformer file: its `annotations` repeat the spans once per `user`; document 2580
    was annotated by user 2 alone. (doccano-transformer wrote this file's CoNLL per user: .user1, .user2.)"""
    project = make_project(("X",))
    code, out, err = cli(
        "import", project.folder, INTEROP / "doccano/doccano-transformer__labeling.jsonl", "--add-labels"
    )
    assert code == 0, err
    assert "annotators: user1, user2" in out
    got = [(t[:12], who, status, len(spans)) for t, who, status, spans in stored(project)]
    assert got == [
        ("SOCCER - JAP", "user1", "accepted", 5),
        ("SOCCER - JAP", "user2", "accepted", 5),
        ("RUGBY UNION ", "user2", "accepted", 6),
    ]
    first = [spans for _t, _who, _s, spans in stored(project)][:2]
    assert first[0] == first[1] == [(9, 14, "12"), (31, 36, "13"), (58, 69, "13"), (70, 76, "12"), (79, 99, "12")]


def doccano_member_file(records: list[dict]) -> bytes:
    """A member's file as doccano writes it (pandas `to_json(orient="records", lines=True)`: compact, "/"
    escaped)."""
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/") for r in records]
    return ("\n".join(lines) + "\n").encode("utf-8")


def doccano_zip(path: Path, members: dict[str, list[dict]]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for user, records in members.items():
            zf.writestr(f"{user}.jsonl", doccano_member_file(records))
    return path


TEXTS = ["EU rejects German call to boycott British lamb.", "Peter Blackburn", "Visit https://example.org/eu today"]


def test_doccanos_per_member_export_gives_each_member_their_annotations(make_project, cli, tmp_path):
    """Not "approved only": every member's file lists every document, with "label": [] where the member
    labelled nothing, so such a record is not taken as that member's annotation."""
    project = make_project(("ORG", "MISC", "PERSON"))
    f = doccano_zip(
        tmp_path / "c7d1a0e4-5bc1-4cf7-9d5e.zip",
        {
            "admin": [
                {"id": 1, "text": TEXTS[0], "label": [[0, 2, "ORG"], [11, 17, "MISC"]], "Comments": []},
                {"id": 2, "text": TEXTS[1], "label": [[0, 15, "PERSON"]], "Comments": []},
                {"id": 3, "text": TEXTS[2], "label": [], "Comments": []},
            ],
            "annotator1": [
                {"id": 1, "text": TEXTS[0], "label": [[0, 2, "ORG"]], "Comments": []},
                {"id": 2, "text": TEXTS[1], "label": [], "Comments": []},
                {"id": 3, "text": TEXTS[2], "label": [], "Comments": []},
            ],
        },
    )
    code, out, err = cli("import", project.folder, f)
    assert code == 0, err
    assert "3 new documents" in out and "annotators: admin, annotator1" in out
    assert "left out: 3 records without labels in a member's file" in out
    assert [(t, who, spans) for t, who, _s, spans in stored(project)] == [
        (TEXTS[0], "admin", [(0, 2, "ORG"), (11, 17, "MISC")]),
        (TEXTS[0], "annotator1", [(0, 2, "ORG")]),
        (TEXTS[1], "admin", [(0, 15, "PERSON")]),
    ]
    with project.session() as s:
        assert store.document_count(session=s) == 3  # the unlabelled text is in the project, nobody's yet


def test_an_approved_only_member_export_takes_empty_records_as_approved(make_project, tmp_path):
    """ "Export only approved documents": each file holds what that member approved, so an empty label list
    is an approval with no entity."""
    from models.formats import import_file

    project = make_project(("ORG", "MISC", "PERSON"))
    f = doccano_zip(
        tmp_path / "approved.zip",
        {
            "admin": [{"id": 1, "text": TEXTS[0], "label": [[0, 2, "ORG"]]}, {"id": 3, "text": TEXTS[2], "label": []}],
            "annotator1": [{"id": 3, "text": TEXTS[2], "label": []}],
        },
    )
    report = import_file(project, f)
    assert not report.skipped
    assert [(t, who, status, spans) for t, who, status, spans in stored(project)] == [
        (TEXTS[0], "admin", "accepted", [(0, 2, "ORG")]),
        (TEXTS[2], "admin", "accepted", []),
        (TEXTS[2], "annotator1", "accepted", []),
    ]


def test_a_bad_record_in_a_member_file_names_the_member_and_line_and_stores_nothing(make_project, tmp_path):
    from models.formats import guess_format, import_file

    project = make_project(("ORG",))
    f = doccano_zip(
        tmp_path / "export.zip",
        {
            "admin": [{"id": 1, "text": TEXTS[0], "label": [[0, 2, "ORG"]]}],
            "bob": [{"id": 1, "text": TEXTS[0], "label": [[0, 2, "ORG"]]}, {"id": 2, "text": TEXTS[1], "label": [[0]]}],
        },
    )
    assert guess_format(f).name == "doccano"
    with pytest.raises(ImportFileError, match=r"export\.zip/bob\.jsonl:2: 'label': each item must be"):
        import_file(project, f)
    with project.session() as s:
        assert store.document_count(session=s) == 0


def test_a_zip_of_other_files_is_refused_with_what_to_do(make_project, tmp_path):
    from models.formats import get_format, import_file

    project = make_project(("ORG",))
    f = tmp_path / "photos.zip"
    with zipfile.ZipFile(f, "w") as zf:
        zf.writestr("a.png", b"\x89PNG")
    with pytest.raises(ImportFileError, match="holds a.png; unzip it and import its files one by one"):
        import_file(project, f, get_format("doccano"))


def test_in_a_team_an_annotator_cannot_import_a_file_naming_others(make_project, cli, tmp_path):
    """The file's annotators go through the store's one check: only a reviewer imports other people's work."""
    project = make_project(("RESOURCE", "ADDRESS"))
    with project.writing() as s:
        store.change_team(session=s, add=[("ann", "annotator"), ("rita", "reviewer")])
    f = two_annotators_export(tmp_path / "export.json")
    code, _out, err = cli("import", project.folder, f)
    assert code == 1 and "ann is an annotator and may change only their own annotations, not user1's" in err
    assert stored(project) == []
