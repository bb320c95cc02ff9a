"""Review: the annotators' spans side by side, and the gold annotation a reviewer settles from them."""

from __future__ import annotations

import json
import sqlite3

import pytest

from models import store
from models.errors import TagdeskError
from models.review import Choice, proposal_for, propose, to_review
from models.team import GOLD, check_person
from tests.models.team_support import ALICE, BOB, DOC1, DOC2, annotate


@pytest.fixture
def team(project):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=DOC1), store.NewDocument(text=DOC2)], session=s)
    annotate(project, "alice", ALICE)
    annotate(project, "bob", BOB)
    return project


def ids(project) -> dict[str, int]:
    with project.session() as s:
        return {store.get_document(i, session=s).text: i for i in store.document_ids(session=s)}


def test_agreed_and_disputed_spans_with_who_chose_them():
    """DOC1: both chose "Li Qiang"; alice "Vladimir Putin" and bob "Putin" share characters (one group of
    alternatives); "Moscow" is GPE for alice and ORG for bob (another group)."""
    p = propose(1, DOC1, {"bob": BOB[DOC1], "alice": ALICE[DOC1]})
    assert p.annotators == ["alice", "bob"]
    assert p.agreed == [Choice(0, 8, "PERSON", ("alice", "bob"))]
    assert [[(c.span, c.annotators) for c in g] for g in p.groups()] == [
        [((13, 27, "PERSON"), ("alice",)), ((22, 27, "PERSON"), ("bob",))],
        [((31, 37, "GPE"), ("alice",)), ((31, 37, "ORG"), ("bob",))],
    ]
    assert p.chosen_by((22, 27, "PERSON")) == ("bob",) and p.chosen_by((1, 2, "ORG")) == ()
    same = propose(2, "x", {"a": [(0, 1, "L")], "b": [(0, 1, "L")]})
    assert not same.differs


def test_gold_is_written_as_an_annotation_apart_and_ends_the_review(team, cli):
    doc = ids(team)
    with team.session() as s:
        assert [p.document_id for p in to_review(session=s)] == [doc[DOC1], doc[DOC2]]
        p = proposal_for(doc[DOC2], session=s)
    assert [c.span for c in p.agreed] == [(0, 5, "ORG"), (12, 20, "PERSON")]
    assert [(c.span, c.annotators) for c in p.disputed] == [((24, 33, "GPE"), ("bob",))]
    # the reviewer takes the agreed spans and bob's GPE, and accepts: the gold annotation
    with team.writing() as s:
        store.decide(
            doc[DOC2],
            "accepted",
            session=s,
            annotator=GOLD,
            add_spans=[(*c.span, "human", None) for c in [*p.agreed, *p.disputed]],
        )
    with team.session() as s:
        assert [p.document_id for p in to_review(session=s)] == [doc[DOC1]]
        # the annotators' own annotations are untouched
        assert [(x.start, x.end, x.label) for x in store.spans_of(doc[DOC2], session=s, annotator="alice")] == [
            (0, 5, "ORG"),
            (12, 20, "PERSON"),
        ]
    # its history is in the event log, under the gold annotation
    con = sqlite3.connect(team.database_path)
    assert con.execute("select action from event where annotator = ?", (GOLD,)).fetchall() == [("set_status",)]
    con.close()
    # and it is no annotator: agreement still compares alice and bob only
    data = json.loads(cli("agreement", team.folder, "--json")[1])
    assert data["annotators"] == ["alice", "bob"] and data["documents"] == 2


def test_a_person_cannot_take_the_gold_annotations_name(project, cli, tmp_path):
    with pytest.raises(TagdeskError, match="keeps for the reviewed"):
        check_person("@gold", "--annotator")
    f = tmp_path / "a.jsonl"
    f.write_text(json.dumps({"text": DOC1, "spans": [], "answer": "accept"}) + "\n", encoding="utf-8")
    code, _out, err = cli("import", project.folder, f, "--annotator", "@gold")
    assert code == 1 and "--annotator: '@gold' starts with '@'" in err
    f.write_text(json.dumps({"text": DOC1, "spans": [], "answer": "accept", "_annotator_id": "@gold"}) + "\n")
    code, _out, err = cli("import", project.folder, f)
    assert code == 1 and f"{f}:1: " in err and "'@gold'" in err
