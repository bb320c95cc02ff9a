"""Labels and shared settings live in the database: every change is one transaction with its events, renames
carry the spans along, removing a used label says how many spans it has, and an old project's tagdesk.toml
settings move in on upgrade."""

from __future__ import annotations

import sqlite3

import pytest

from models import labels, settings, store
from models.config import CONFIG_NAME, load_config, make_config, save_config
from models.errors import StaleAnnotationError, TagdeskError
from models.project import open_project

TEXT = "Li Qiang met Acme Corp in Paris."


def rows(project, sql):
    con = sqlite3.connect(project.database_path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def annotated(project):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=TEXT), store.NewDocument(text="Acme Corp again.")], session=s)
    with project.writing() as s:
        store.add_span(1, 0, 8, "PERSON", session=s, annotator="ann")
        store.add_span(1, 13, 22, "ORG", session=s, annotator="ann")
        store.add_span(2, 0, 9, "ORG", session=s, annotator="bea")
        store.dismiss_suggestion(1, 26, 31, "ORG", session=s, annotator="ann")
    return project


def test_labels_are_read_from_the_database_not_the_file(project):
    assert load_config(project.config_path).labels is None
    assert [(lab.name, lab.key) for lab in project.config.labels] == [("PERSON", "1"), ("ORG", "2"), ("GPE", "3")]
    assert rows(project, "select name, key, position from label order by position") == [
        ("PERSON", "1", 0),
        ("ORG", "2", 1),
        ("GPE", "3", 2),
    ]


def test_a_label_added_on_one_desktop_is_seen_by_another(project):
    other = open_project(project.folder)  # another desktop on the same database
    try:
        added = labels.add_label(project, "EVENT")
        assert (added.key, added.color) == ("4", "#e15759")
        assert other.config.label("EVENT") is None
        assert other.refresh() and other.config.label("EVENT") == added
        assert not other.refresh()  # nothing changed since
    finally:
        other.close()


def test_rename_renames_spans_dismissals_and_mapping_in_one_transaction_with_events(annotated):
    p = annotated
    versions = dict(rows(p, "select annotator, version from annotation order by id"))
    n = labels.rename_label(p, "ORG", "COMPANY")
    assert n == 2
    assert rows(p, "select label from span order by id") == [("PERSON",), ("COMPANY",), ("COMPANY",)]
    assert rows(p, "select label from dismissal") == [("COMPANY",)]
    assert p.config.label_names == ["PERSON", "COMPANY", "GPE"]
    assert p.config.map_label("ORG") == "COMPANY"  # the model's ORG arrives as COMPANY
    # each annotation touched: version + 1 and one rename_label event of its own owner
    after = dict(rows(p, "select annotator, version from annotation order by id"))
    assert after == {k: v + 1 for k, v in versions.items()}
    events = rows(p, "select annotator, document_id, action from event where action like '%label%' order by id")
    assert ("ann", 1, "rename_label") in events and ("bea", 2, "rename_label") in events
    assert events[-1] == ("ann", None, "label_update")
    # a window that read document 1 before the rename is refused, not allowed to write the old label back
    with p.writing() as s, pytest.raises(StaleAnnotationError):
        store.add_span(1, 26, 31, "GPE", session=s, annotator="ann", expected_version=versions["ann"])


def test_rename_back_restores_everything(annotated):
    p = annotated
    before = rows(p, "select start, end, label, origin from span order by id")
    labels.rename_label(p, "ORG", "COMPANY")
    labels.rename_label(p, "COMPANY", "ORG")
    assert rows(p, "select start, end, label, origin from span order by id") == before
    assert p.config.label_names == ["PERSON", "ORG", "GPE"]


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda p: labels.add_label(p, "ORG"), "there is a label 'ORG' already"),
        (lambda p: labels.add_label(p, " X"), "cannot start or end with spaces"),
        (lambda p: labels.add_label(p, "X", key="1"), "key '1' is PERSON's"),
        (lambda p: labels.add_label(p, "X", key="x"), "x rejects the document"),
        (lambda p: labels.recolor_label(p, "ORG", "orange"), 'expected a colour like "#4e79a7"'),
        (lambda p: labels.rename_label(p, "ORG", "PERSON"), "there is a label 'PERSON' already"),
        (lambda p: labels.rename_label(p, "NOPE", "X"), "'NOPE' is not a label of this project"),
    ],
)
def test_bad_label_changes_are_refused_and_change_nothing(annotated, call, message):
    before = rows(annotated, "select * from label order by id"), rows(annotated, "select * from span order by id")
    with pytest.raises(TagdeskError, match=message):
        call(annotated)
    assert (rows(annotated, "select * from label order by id"), rows(annotated, "select * from span order by id")) == (
        before
    )


def test_recolour_rekey_and_move(project):
    labels.recolor_label(project, "GPE", "#FF0000")
    labels.rekey_label(project, "GPE", "g")
    assert labels.move_label(project, "GPE", 0) == ["GPE", "PERSON", "ORG"]
    assert [(lab.name, lab.color, lab.key) for lab in project.config.labels] == [
        ("GPE", "#ff0000", "g"),
        ("PERSON", "#4e79a7", "1"),
        ("ORG", "#f28e2b", "2"),
    ]
    actions = [a for (a,) in rows(project, "select action from event where document_id is null order by id")]
    assert actions[-3:] == ["label_update", "label_update", "label_move"]


def test_removing_a_label_in_use_says_how_many_spans_and_needs_consent(annotated):
    with pytest.raises(labels.LabelInUseError, match=r"ORG is on 2 entities in 2 documents \(2 annotators\)"):
        labels.remove_label(annotated, "ORG")
    assert rows(annotated, "select count(*) from span where label = 'ORG'") == [(2,)]
    assert labels.remove_label(annotated, "ORG", with_spans=True) == 2
    assert annotated.config.label_names == ["PERSON", "GPE"]
    assert rows(annotated, "select label from span") == [("PERSON",)]
    assert annotated.config.map_label("ORG") is None
    removed = rows(annotated, "select annotator, payload from event where action = 'remove_label'")
    assert [who for who, _ in removed] == ["ann", "bea"]
    assert '[13, 22, "ORG", "human", null]' in removed[0][1]  # enough to put the span back on replay


def test_the_last_label_cannot_be_removed(make_project):
    p = make_project(labels=["ONLY"])
    with pytest.raises(TagdeskError, match="only label"):
        labels.remove_label(p, "ONLY")


def test_shared_settings_are_stored_with_events(project):
    settings.set_pipeline(project, "")
    settings.set_patterns(project, ["rules.jsonl"])
    settings.map_label(project, "NORP", "ORG")
    settings.set_overlap(project, 2)
    with open_project(project.folder) as again:
        assert (again.config.model.pipeline, again.config.model.patterns, again.config.overlap) == (
            "",
            ["rules.jsonl"],
            2,
        )
        assert again.config.map_label("LOC") == "GPE"
    with pytest.raises(TagdeskError, match="'CITY' is not a project label"):
        settings.map_label(project, "LOC", "CITY")
    with pytest.raises(TagdeskError, match="from 1 to 100"):
        settings.set_overlap(project, 0)
    keys = [k for (k,) in rows(project, "select json_extract(payload, '$.key') from event where action='set_setting'")]
    assert keys[-4:] == ["pipeline", "patterns", "label_map", "overlap"]


def test_an_old_project_moves_its_toml_settings_into_the_database_once(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    old = make_config("old", ["PERSON", "ORG"], annotator="ann", pipeline="")
    save_config(
        old.model_copy(update={"model": old.model.model_copy(update={"patterns": ["p.jsonl"]})}), folder / CONFIG_NAME
    )
    text = (folder / CONFIG_NAME).read_text()
    with open_project(folder) as p:
        assert p.config.label_names == ["PERSON", "ORG"]
        assert p.config.model.patterns == ["p.jsonl"] and p.config.model.pipeline == ""
        assert p.warnings == []
        labels.add_label(p, "GPE")  # changed in the database: the file is not what is used any more
    assert (folder / CONFIG_NAME).read_text() == text  # the file is left as it was
    with open_project(folder) as p:
        assert p.config.label_names == ["PERSON", "ORG", "GPE"] and p.warnings == []
    # someone edits the file's labels afterwards: told that they are not read, and where they live
    (folder / CONFIG_NAME).write_text(text.replace('"ORG"', '"COMPANY"'))
    with open_project(folder) as p:
        assert p.config.label_names == ["PERSON", "ORG", "GPE"]
        assert len(p.warnings) == 1 and "are not read any more" in p.warnings[0] and "tagdesk labels" in p.warnings[0]


def test_cli_labels_and_settings(project, cli):
    code, out, err = cli("labels", project.folder, "add", "EVENT", "--key", "e")
    assert code == 0, err
    assert "Added EVENT" in out and "e  #" in out
    code, out, err = cli("labels", project.folder, "rename", "EVENT", "HAPPENING")
    assert code == 0 and "0 entities renamed" in out
    code, _out, err = cli("labels", project.folder, "key", "HAPPENING", "a")
    assert code == 1 and "a accepts the document" in err and "Traceback" not in err
    code, out, err = cli("settings", project.folder, "--map", "EVENT=HAPPENING", "--overlap", "3")
    assert code == 0, err
    assert "overlap   3" in out and "EVENT=HAPPENING" in out


def test_cli_remove_in_use_refuses_then_removes_with_spans(annotated, cli):
    code, _out, err = cli("labels", annotated.folder, "remove", "ORG")
    assert code == 1 and "ORG is on 2 entities in 2 documents" in err and "--with-spans" in err
    code, out, err = cli("labels", annotated.folder, "remove", "ORG", "--with-spans")
    assert code == 0 and "Removed ORG and 2 entities in 2 documents" in out
