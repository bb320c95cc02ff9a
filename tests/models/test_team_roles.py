"""Roles: once a project has a team, the store lets each person write only their own annotation; reviewers also
write the gold annotation, import other people's work and change the team. Without a team nothing is checked."""

from __future__ import annotations

import json
import sqlite3

import pytest

from models import store
from models.errors import TagdeskError
from models.project import open_project
from models.team import GOLD
from tests.models.team_support import DOC1


def as_user(project, name: str):
    """The same project opened by another person (their own settings name them)."""
    other = open_project(project.folder)
    other.annotator = name
    return other


@pytest.fixture
def team(project, cli):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=DOC1)], session=s)
    code, _out, err = cli("team", project.folder, "--reviewer", "rita", "--add", "alice", "--add", "bob")
    assert code == 0, err
    people = {name: as_user(project, name) for name in ("rita", "alice", "bob", "carol")}
    yield people
    for p in people.values():
        p.close()


def test_each_person_writes_only_their_own_annotation(team):
    alice, bob = team["alice"], team["bob"]
    with alice.writing() as s:
        store.add_span(1, 0, 8, "PERSON", session=s, annotator="alice")
    with bob.writing() as s:
        with pytest.raises(store.NotAllowedError, match="bob is an annotator and may change only their own"):
            store.add_span(1, 13, 27, "PERSON", session=s, annotator="alice")
        with pytest.raises(store.NotAllowedError, match="not the gold"):
            store.decide(1, "accepted", session=s, annotator=GOLD)
        span = store.span_at(1, 0, 8, session=s, annotator="alice")
        with pytest.raises(store.NotAllowedError):
            store.remove_span(span.id, session=s, annotator="alice")
    with team["carol"].writing() as s:
        with pytest.raises(store.NotAllowedError, match="carol is not a member.*tagdesk team DIR --add carol"):
            store.add_span(1, 0, 8, "PERSON", session=s, annotator="carol")
    with team["rita"].writing() as s:  # the reviewer settles the gold
        store.decide(1, "accepted", session=s, annotator=GOLD, add_spans=[(0, 8, "PERSON", "human", None)])
    with alice.session() as s:
        assert [(x.start, x.end) for x in store.spans_of(1, session=s, annotator="alice")] == [(0, 8)]
        assert store.get_annotation(1, session=s, annotator=GOLD).status == "accepted"


def test_importing_other_peoples_annotations_is_a_reviewers_action(team, cli, tmp_path):
    f = tmp_path / "bob.jsonl"
    f.write_text(json.dumps({"text": DOC1, "spans": [], "answer": "accept"}) + "\n", encoding="utf-8")
    from models.formats import import_file

    with pytest.raises(TagdeskError, match="alice is an annotator"):
        import_file(team["alice"], f, annotator="bob")
    import_file(team["alice"], f)  # her own: fine
    report = import_file(team["rita"], f, annotator="bob")
    assert report.joined == 1


def test_only_reviewers_change_the_team_and_each_change_is_an_event(team, project, cli):
    with team["alice"].writing() as s:
        with pytest.raises(store.NotAllowedError, match="changing the team is a reviewer's action"):
            store.change_team(session=s, add=[("dave", "annotator")])
    with team["rita"].writing() as s:
        assert store.change_team(session=s, add=[("bob", "reviewer")]) == [("bob", "reviewer")]
    with team["rita"].writing() as s:
        store.change_team(session=s, remove=["alice"])
    with team["rita"].writing() as s:
        with pytest.raises(TagdeskError, match="no reviewer left"):
            store.change_team(session=s, add=[("dave", "annotator")], remove=["bob", "rita"])
    with project.session() as s:
        assert store.members(session=s) == {"bob": "reviewer", "rita": "reviewer"}
    con = sqlite3.connect(project.database_path)
    events = [json.loads(p) for (p,) in con.execute("select payload from event where action = 'team_member'")]
    con.close()
    assert [(e["name"], e["role"], e["before"]) for e in events] == [
        ("rita", "reviewer", None),
        ("alice", "annotator", None),
        ("bob", "annotator", None),
        ("bob", "reviewer", "annotator"),
        ("alice", None, "annotator"),
    ]


def test_the_first_member_must_be_a_reviewer(project, cli):
    code, _out, err = cli("team", project.folder, "--add", "alice")
    assert code == 1 and "a new team needs a reviewer" in err and "--reviewer alice" in err
    code, out, _err = cli("team", project.folder)
    assert code == 0 and "No team" in out


def test_without_a_team_nothing_is_checked(project):
    other = as_user(project, "someone")
    try:
        with other.writing() as s:
            store.add_documents([store.NewDocument(text=DOC1)], session=s)
            store.decide(1, "accepted", session=s, annotator="alice")
            store.decide(1, "accepted", session=s, annotator=GOLD)
    finally:
        other.close()
