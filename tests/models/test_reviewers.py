"""Who reviewed: every edit of the gold annotation records its reviewer (`"by"` in its event), the reviewer of
a document is whoever settled its status last, and `tagdesk agreement` / `tagdesk stats` say who reviewed
what and how each annotator's work compares with the gold. On both backends."""

from __future__ import annotations

import json

import pytest

from models import store
from models.store.reviews import reviews
from models.team import GOLD
from tests.dbtools import raw_rows
from tests.models.team_support import ALICE, BOB, DOC1, DOC2, annotate

pytestmark = pytest.mark.backends


def as_person(project, name: str):
    """The project as opened by `name` (their own desktop)."""
    project.annotator = name
    return project


@pytest.fixture
def reviewed(project, cli):
    """alice and bob annotated both documents; sam settled DOC1 (bob's version), then rita removed its ORG
    without deciding again; rita settled DOC2 (the agreed spans and bob's GPE)."""
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=DOC1), store.NewDocument(text=DOC2)], session=s)
    annotate(as_person(project, "alice"), "alice", ALICE)
    annotate(as_person(project, "bob"), "bob", BOB)
    code, _out, err = cli(
        "team", project.folder, "--reviewer", "rita", "--reviewer", "sam", "--add", "alice", "--add", "bob"
    )
    assert code == 0, err
    with as_person(project, "sam").writing() as s:
        store.decide(1, "accepted", session=s, annotator=GOLD, add_spans=[(*x, "human", None) for x in BOB[DOC1]])
    with as_person(project, "rita").writing() as s:
        (span,) = [x for x in store.spans_of(1, session=s, annotator=GOLD) if x.label == "ORG"]
        store.remove_span(span.id, session=s, annotator=GOLD)
        store.decide(2, "accepted", session=s, annotator=GOLD, add_spans=[(*x, "human", None) for x in BOB[DOC2]])
    return project


def test_each_gold_event_names_its_reviewer_and_the_last_decision_settles_who_reviewed(reviewed, cli):
    events = raw_rows(
        reviewed, f"SELECT document_id, action, payload FROM event WHERE annotator = '{GOLD}' ORDER BY id"
    )
    assert [(doc, action, json.loads(p)["by"]) for doc, action, p in events] == [
        (1, "set_status", "sam"),
        (1, "remove_span", "rita"),
        (2, "set_status", "rita"),
    ]
    # a person's edits of their own annotation say nothing more (the event's annotator is who made it)
    own = raw_rows(reviewed, "SELECT payload FROM event WHERE annotator = 'alice' AND action = 'set_status'")
    assert own and all("by" not in json.loads(p) for (p,) in own)
    code, out, err = cli("check", reviewed.folder)  # the log, "by" and all, still rebuilds every annotation
    assert code == 0, out + err
    with reviewed.session() as s:
        found = reviews(session=s, editors=True)
    assert {d: (r.status, r.by, r.editors) for d, r in found.items()} == {
        1: ("accepted", "sam", ("sam", "rita")),
        2: ("accepted", "rita", ("rita",)),
    }


def test_agreement_says_who_reviewed_and_each_annotator_against_the_gold(reviewed, cli):
    """Gold: DOC1 Li Qiang + Putin (bob's, less his ORG), DOC2 bob's three. Exact, gold against alice: 3 of her 5
    spans are gold spans, 3 of the 5 gold spans hers: F1 0.6; bob: 5 of 6, all 5 of the gold: 10/11. Overlap:
    alice's Vladimir Putin overlaps Putin (4 of 5 each way: 0.8); bob unchanged."""
    data = json.loads(cli("agreement", reviewed.folder, "--json")[1])
    assert data["reviewed"]["documents"] == 2
    assert data["reviewed"]["reviewers"] == {"rita": 1, "sam": 1}
    against = data["reviewed"]["annotators"]
    assert {n: (a["documents"], a["exact"]["f1"], a["overlap"]["f1"]) for n, a in against.items()} == {
        "alice": (2, 0.6, 0.8),
        "bob": (2, 0.9091, 0.9091),
    }
    code, out, err = cli("agreement", reviewed.folder)
    assert code == 0, err
    assert "Reviewed: 2 documents (rita 1, sam 1), 2 with an accepted gold annotation" in out
    assert "Each annotator against the gold annotation" in out
    rows = [line.strip("│ ").split() for line in out.splitlines()]
    assert [r for r in rows if r and r[0] in ("alice", "bob") and len(r) == 7] == [
        ["alice", "│", "2", "│", "0.600", "│", "0.800"],
        ["bob", "│", "2", "│", "0.909", "│", "0.909"],
    ]
    assert out.index("Annotator pairs") < out.index("Reviewed: 2")


def test_stats_count_each_reviewers_documents(reviewed, cli):
    data = json.loads(cli("stats", reviewed.folder, "--json")[1])
    assert [(r["name"], r["documents"], r["statuses"]) for r in data["reviewers"]] == [
        ("rita", 1, {"accepted": 1}),
        ("sam", 1, {"accepted": 1}),
    ]
    assert all(r["last"] for r in data["reviewers"])
    out = cli("stats", reviewed.folder)[1]
    rows = [line.strip("│ ").replace("│", " ").split() for line in out.splitlines()]
    assert "Reviewers" in out and ["rita", "1", "1", "0", "0"] in [r[:5] for r in rows]


def test_a_gold_settled_by_a_session_without_a_person_is_not_recorded(project, cli):
    """Scripts and older versions wrote the gold without naming anyone: shown as such, never guessed."""
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=DOC1)], session=s)
    with store.writing(project.engine) as s:  # no acting person
        store.decide(1, "rejected", session=s, annotator=GOLD)
    with project.session() as s:
        assert reviews(session=s)[1].by is None
    data = json.loads(cli("stats", project.folder, "--json")[1])
    assert [(r["name"], r["statuses"]) for r in data["reviewers"]] == [(None, {"rejected": 1})]
    assert "not recorded" in cli("stats", project.folder)[1]
