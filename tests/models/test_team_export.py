"""Exports of a team's project: the gold annotation where a reviewer decided one, else what the annotators agree
on; documents where they differ unreviewed are left out and counted; `--annotator NAME` writes one person's."""

from __future__ import annotations

import json

from models import store
from models.store.resolved import CONFLICT, resolve
from models.team import GOLD
from tests.models.team_support import ALICE, BOB, DOC1, DOC2, annotate

DOC3 = "Only alice read this one about Berlin."
DOC4 = "Both agree that Paris is a city."


def test_export_uses_gold_then_agreement_and_leaves_out_conflicts(project, cli):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=t) for t in (DOC1, DOC2, DOC3, DOC4)], session=s)
    annotate(project, "alice", {**ALICE, DOC3: [(25, 31, "GPE")], DOC4: [(16, 21, "GPE")]})
    annotate(project, "bob", {**BOB, DOC4: [(16, 21, "GPE")]})
    with project.writing() as s:  # a reviewer settled DOC2
        store.decide(3 - 1, "accepted", session=s, annotator=GOLD, add_spans=[(0, 5, "ORG", "human", None)])
    code, out, err = cli("export", project.folder, "--format", "doccano")
    assert code == 0, err
    assert "3 documents" in out
    assert "left out: 1 document where annotators differ and no reviewer decided; " in out
    assert f"review it with: tagdesk open {project.folder} --review" in out
    lines = [json.loads(x) for x in (project.folder / "exports" / "doccano.jsonl").read_text().splitlines()]
    assert [(x["text"], x["label"]) for x in lines] == [
        (DOC2, [[0, 5, "ORG"]]),  # the gold, not alice's or bob's
        (DOC3, [[25, 31, "GPE"]]),  # one annotator
        (DOC4, [[16, 21, "GPE"]]),  # both agree
    ]
    # one annotator's own
    code, out, err = cli(
        "export", project.folder, "--format", "doccano", "--annotator", "bob", "--out", project.folder / "bob.jsonl"
    )
    assert code == 0, err
    lines = [json.loads(x) for x in (project.folder / "bob.jsonl").read_text().splitlines()]
    assert [x["text"] for x in lines] == [DOC1, DOC2, DOC4]
    assert lines[0]["label"] == [list(s) for s in BOB[DOC1]]


def test_nothing_to_export_but_conflicts_says_to_review(project, cli):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=DOC1)], session=s)
    annotate(project, "alice", {DOC1: ALICE[DOC1]})
    annotate(project, "bob", {DOC1: BOB[DOC1]})
    code, _out, err = cli("export", project.folder, "--format", "doccano")
    assert code == 1
    assert "no accepted documents to export (1 where annotators differ wait for review: tagdesk open" in err


def test_resolution_rules():
    a, b = [(0, 1, "L")], [(2, 3, "L")]
    assert resolve([("alice", "accepted", a), ("bob", "accepted", a)]) == ("accepted", a)
    assert resolve([("alice", "accepted", a), ("bob", "accepted", b)]) == (CONFLICT, [])
    assert resolve([("alice", "accepted", a), ("bob", "rejected", a)]) == (CONFLICT, [])
    # a gold decision settles it; a gold annotation still pending (review under way) does not
    assert resolve([("alice", "accepted", a), ("bob", "accepted", b), (GOLD, "accepted", b)]) == ("accepted", b)
    assert resolve([("alice", "accepted", a), ("bob", "accepted", b), (GOLD, "pending", b)]) == (CONFLICT, [])
    # an annotator still at work does not count against one who decided
    assert resolve([("alice", "accepted", a), ("bob", "pending", b)]) == ("accepted", a)
    assert resolve([("alice", "pending", a)]) == ("pending", a)
    assert resolve([]) == ("pending", [])
    # one annotation alone: a person's is what they decided; the gold one only once decided; no other reserved name
    assert resolve([("alice", "rejected", a)]) == ("rejected", a)
    assert resolve([(GOLD, "accepted", b)]) == ("accepted", b)
    assert resolve([(GOLD, "pending", b)]) == ("pending", [])
    assert resolve([("@model", "accepted", b)]) == ("pending", [])


def test_team_export_reads_the_same_documents_in_pages_of_any_size(project):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=t) for t in (DOC1, DOC2, DOC3, DOC4)], session=s)
    annotate(project, "alice", {**ALICE, DOC3: [(25, 31, "GPE")], DOC4: [(16, 21, "GPE")]})
    annotate(project, "bob", {**BOB, DOC4: [(16, 21, "GPE")]})
    with project.writing() as s:
        store.decide(2, "accepted", session=s, annotator=GOLD, add_spans=[(0, 5, "ORG", "human", None)])

    def read(batch):
        with project.session() as s:
            return [
                (d.text, d.status, d.spans)
                for d in store.iter_annotated_documents(
                    session=s, annotator=None, statuses=["accepted", CONFLICT], batch=batch
                )
            ]

    whole = read(2000)
    assert [(t, st) for t, st, _sp in whole] == [
        (DOC1, CONFLICT),
        (DOC2, "accepted"),
        (DOC3, "accepted"),
        (DOC4, "accepted"),
    ]
    assert read(1) == read(2) == read(3) == whole


def test_export_leaves_the_collector_as_it_found_it(project, tmp_path):
    import gc

    from models.formats import export_project, get_format

    with project.writing() as s:
        store.add_documents([store.NewDocument(text=DOC3)], session=s)
    annotate(project, "alice", {DOC3: [(25, 31, "GPE")]})
    gc.collect()
    assert gc.isenabled()
    export_project(project, get_format("doccano"), tmp_path / "a.jsonl")
    assert gc.isenabled()  # paused while writing, running again after
    gc.freeze()  # as the desktop app does with its startup objects
    try:
        frozen = gc.get_freeze_count()
        export_project(project, get_format("doccano"), tmp_path / "b.jsonl")
        assert gc.get_freeze_count() == frozen and gc.isenabled()
    finally:
        gc.unfreeze()
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
