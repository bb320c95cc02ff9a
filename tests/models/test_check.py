"""`tagdesk check`: the event log rebuilds every annotation (spans with origin and score, status, version,
dismissals, seconds spent); imports write one event per annotated document; old projects pass after the
migration's baselines; a difference is reported by document, exit 1."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from models import store
from models.config import CONFIG_NAME, make_config, save_config
from models.project import open_project

OLD_DB = Path(__file__).resolve().parents[1] / "data" / "schema_0001.db"
TEXT = "Li Qiang met Vladimir Putin in Moscow on Wednesday with Ada."


pytestmark = pytest.mark.backends


def sql(project, statement: str) -> list[tuple]:
    """Run SQL behind the store's back, on the project's own database (either backend), and commit."""
    with project.engine.begin() as conn:
        result = conn.exec_driver_sql(statement)
        return [tuple(row) for row in result] if result.returns_rows else []


def loads(payload) -> dict:
    """An event payload as read by raw SQL: JSON text on SQLite, already a dict on PostgreSQL."""
    return payload if isinstance(payload, dict) else json.loads(payload)


def sqlite_only(project) -> None:
    if project.engine.dialect.name != "sqlite":
        pytest.skip("about SQLite's own file format")


@pytest.fixture
def worked(project, cli, tmp_path):
    """A project with every kind of decision made on it, and an import carrying annotations."""
    f = tmp_path / "in.jsonl"
    lines = [
        {"text": TEXT},
        {"text": "Plain text, no annotation."},
        {"text": "Ada Lovelace wrote in London.", "spans": [{"start": 0, "end": 12, "label": "PERSON"}]},
        {"text": "Rejected at import.", "answer": "reject"},
    ]
    f.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    assert cli("import", project.folder, f)[0] == 0
    who = {"annotator": "ann"}
    with project.writing() as s:
        span = store.add_span(1, 0, 8, "PERSON", session=s, **who).span
    with project.writing() as s:
        store.update_span(span.id, label="ORG", end=8, session=s, **who)
    with project.writing() as s:
        store.dismiss_suggestion(1, 13, 27, "PERSON", session=s, **who)
    with project.writing() as s:
        store.restore_suggestion(1, 13, 27, "PERSON", session=s, **who)
    with project.writing() as s:  # `a` with two suggestions pending: they become spans, with origin and score
        store.decide(
            1,
            "accepted",
            add_spans=[(13, 27, "PERSON", "model", 0.875), (31, 37, "GPE", "pattern", None)],
            seconds=12.25,
            session=s,
            **who,
        )
    with project.writing() as s:  # its undo
        store.decide(1, "pending", remove_spans=[(13, 27), (31, 37)], session=s, **who)
    with project.writing() as s:  # Delete on a span that hid a suggestion: both in one transaction
        store.remove_span(span.id, dismiss=[(0, 8, "PERSON")], session=s, **who)
    with project.writing() as s:  # and its undo
        store.add_span(1, 0, 8, "ORG", undismiss=[(0, 8, "PERSON")], session=s, **who)
    with project.writing() as s:
        store.dismiss_suggestion(1, 31, 37, "GPE", session=s, **who)
    with project.writing() as s:
        store.decide(3, "accepted", seconds=3.5, session=s, **who)
    return project


def test_every_kind_of_decision_and_import_replays_exactly(worked, cli):
    code, out, err = cli("check", worked.folder)
    assert (code, err) == (0, "")
    # the other events: the import published, the project's first labels and settings
    assert re.fullmatch(r"ok: 4 documents, 3 annotations, 12 events replayed, \d+ other events\n", out), out


def test_an_import_writes_one_event_per_annotated_document_and_none_without_a_document(project, cli, tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text(
        '{"text": "One."}\n{"text": "Ada here.", "spans": [{"start": 0, "end": 3, "label": "PERSON"}]}\n'
        '{"text": "Two.", "answer": "accept"}\n',
        encoding="utf-8",
    )
    assert cli("import", project.folder, f)[0] == 0
    rows = sql(project, "select document_id, annotator, action, payload from event order by id")
    imports = [(doc, who, loads(p)) for doc, who, action, p in rows if action == "import"]
    run = sql(project, "select id from import_run")[0][0]
    assert imports == [
        (2, "ann", {"status": "pending", "spans": [[0, 3, "PERSON", "import", None]], "source": "in.jsonl",
                    "import_id": run, "version": 1}),
        (3, "ann", {"status": "accepted", "spans": [], "source": "in.jsonl", "import_id": run, "version": 1}),
    ]  # fmt: skip
    # times are stored as every other write stores them (SQLite compares them as text)
    with project.writing() as s:
        store.decide(1, "accepted", session=s, annotator="ann")
    if project.engine.dialect.name == "sqlite":
        stamps = [at for (at,) in sql(project, "select updated_at from annotation union all select at from event")]
        assert {len(at) for at in stamps} == {len("2026-12-02 10:00:00.000000")}, stamps
    # the only import event of no document says the import was published (other windows watch for it)
    assert [(a, loads(p)) for doc, _w, a, p in rows if doc is None and a.startswith("import")] == [
        ("import_published", {"source": "in.jsonl", "added": 3, "duplicates": 0, "import_id": run})
    ]


TAMPERED = [  # (what is changed behind the store's back, what the check says)
    ("update span set label = 'GPE' where start = 0 and \"end\" = 8",
     r"document 1 \(ann\): spans stored but not in the event log: \[0-8 GPE"),
    ("update span set score = 0.5 where start = 0 and \"end\" = 12",
     r"document 3 \(ann\): spans stored but not in the event log: \[0-12 PERSON \(import 0.5\)\]"),
    ("update annotation set status = 'rejected' where document_id = 3", r"document 3 \(ann\): status is 'rejected'"),
    ("update annotation set version = version + 1 where document_id = 1", r"document 1 \(ann\): version is 10 but"),
    ("update annotation set seconds_spent = 99 where document_id = 3", r"document 3 \(ann\): seconds spent is 99"),
    ("delete from dismissal", r"document 1 \(ann\): dismissals stored but not in the event log: \[\]; "
     r"in the log, not stored: \[\(31, 37, 'GPE'\)\]"),
    ("delete from event where id = (select max(id) from event where document_id = 1)", r"document 1 \(ann\): "),
    ("insert into span (annotation_id, start, \"end\", label, origin) values (2, 13, 16, 'ORG', 'human')",
     r"document 4 \(ann\): spans stored but not in the event log: \[13-16 ORG \(human\)\]; in the log, not "),
]  # fmt: skip


@pytest.mark.parametrize(("tamper", "reported"), TAMPERED)
def test_a_difference_between_the_log_and_the_tables_is_reported_by_document(worked, cli, tamper, reported):
    sql(worked, tamper)
    code, out, _err = cli("check", worked.folder)
    assert code == 1
    assert re.search(reported, out), out
    assert "the event log does not match the annotations stored" in out


def test_an_old_project_passes_the_check_after_its_migration(tmp_path, cli):
    folder = tmp_path / "old"
    folder.mkdir()
    shutil.copyfile(OLD_DB, folder / "tagdesk.sqlite")
    save_config(make_config("old", ["PERSON", "ORG", "GPE"], annotator="ann"), folder / CONFIG_NAME)
    code, out, _err = cli("check", folder)
    assert code == 0
    summed = r"ok: 3 documents, 2 annotations, {} events replayed \(4 older ones summed up by baselines\), \d+ other"
    assert re.match(summed.format(2), out), out
    with open_project(folder) as project:
        baselines = sql(project, "select document_id, payload from event where action = 'baseline' order by id")
        assert [(doc, loads(p)) for doc, p in baselines] == [
            (1, {"status": "accepted", "spans": [[0, 12, "PERSON", "human", None], [17, 32, "PERSON", "model", None],
                                                 [36, 42, "GPE", "human", None]],
                 "dismissed": [], "seconds": 12.5, "version": 3}),
            (2, {"status": "rejected", "spans": [], "dismissed": [], "seconds": 12.5, "version": 1}),
        ]  # fmt: skip
        with project.writing() as s:  # decisions after the baseline replay on top of it
            store.decide(1, "pending", remove_spans=[(17, 32)], seconds=2.0, session=s, annotator="ann")
    code, out, _err = cli("check", folder)
    assert code == 0 and re.match(summed.format(3), out), out


def test_a_damaged_database_file_fails_the_check_with_what_to_do(worked, cli):
    """An index page overwritten behind SQLite's back: the data tables still read, `PRAGMA integrity_check` finds
    the damage, and the check says so (and does not go on to trust the tables)."""
    sqlite_only(worked)
    page_size, page = sql(
        worked, "select (select page_size from pragma_page_size), pageno from dbstat where name = 'ix_span_label'"
    )[0]
    worked.close()
    with open(worked.database_path, "r+b") as fh:
        fh.seek(page * page_size - 8)  # inside the last index entry's key
        fh.write(b"\x00\x00")
    code, out, _err = cli("check", worked.folder)
    assert code == 1
    assert "the database file is damaged: row" in out and "missing from index ix_span_label" in out
    assert "Restore it from a backup" in out


def test_notes_and_label_renames_and_removals_replay_too(worked, cli):
    from models.labels import remove_label, rename_label

    with worked.writing() as s:
        store.set_note(1, "Is Ada a person here?", "unsure", session=s, annotator="ann")
    with worked.writing() as s:
        store.dismiss_suggestion(3, 13, 19, "GPE", session=s, annotator="ann")
    with worked.writing() as s:
        store.add_span(3, 23, 29, "GPE", session=s, annotator="ann")
    rename_label(worked, "PERSON", "PER")  # spans and dismissals take the new name, one event per annotation
    assert remove_label(worked, "GPE", with_spans=True) == 1  # its span goes; dismissals keep their label
    code, out, _err = cli("check", worked.folder)
    assert code == 0, out
    sql(worked, "update note set flag = 'needs review'")
    code, out, _err = cli("check", worked.folder)
    assert code == 1 and "document 1 (ann): the note is ('Is Ada a person here?', 'needs review')" in out, out
