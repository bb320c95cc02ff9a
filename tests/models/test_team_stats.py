"""`tagdesk stats` for a team: each annotator's pace, labels and agreement over time; the gold counted apart."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from models import store
from models.metrics.agreement import iso_week
from models.team import GOLD
from tests.models.team_support import ALICE, BOB, DOC1, DOC2, annotate


def test_per_annotator_figures_and_agreement_by_week(project, cli):
    """alice and bob accept both documents (exact span F1 6/11 against each other, see test_agreement); carol
    rejects DOC1 after 40 s and DOC2 after 80 s (median 60 s a document, 2 documents in 120 s = 60 an hour); a
    reviewer accepts DOC1 as gold."""
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=DOC1), store.NewDocument(text=DOC2)], session=s)
    annotate(project, "alice", ALICE)
    annotate(project, "bob", BOB)
    with project.writing() as s:
        first, second = store.document_ids(session=s)
        store.decide(first, "rejected", session=s, annotator="carol", seconds=40)
        store.decide(second, "rejected", session=s, annotator="carol", seconds=80)
        store.decide(first, "accepted", session=s, annotator=GOLD, add_spans=[(0, 8, "PERSON", "human", None)])
    code, out, err = cli("stats", project.folder, "--json")
    assert code == 0, err
    data = json.loads(out)
    people = {a["name"]: a for a in data["annotators"]}
    assert sorted(people) == ["alice", "bob", "carol"]  # the gold annotation is no annotator
    assert data["reviewed"] == 1
    assert people["alice"]["spans_by_label"] == {"PERSON": 3, "GPE": 1, "ORG": 1}
    assert people["bob"]["spans_by_label"] == {"PERSON": 3, "ORG": 2, "GPE": 1}
    assert people["carol"]["statuses"]["rejected"] == 2 and people["carol"]["decided"] == 2
    assert people["carol"]["seconds_per_document"] == 60.0 and people["carol"]["documents_per_hour"] == 60.0
    assert people["alice"]["seconds_per_document"] is None  # no time measured (set without the window)
    (week,) = data["agreement_by_week"]
    assert week["week"] == iso_week(datetime.now(UTC)) and week["documents"] == 2
    assert week["f1"] == {"alice": round(6 / 11, 4), "bob": round(6 / 11, 4)}

    code, out, err = cli("stats", project.folder)
    assert code == 0, err
    assert "Reviewed (gold): 1 document\n" in out and "Agreement by week" in out and "0.55" in out


def test_iso_week_names():
    assert iso_week(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-W01"
    assert iso_week(datetime(2027, 1, 1, tzinfo=UTC)) == "2026-W53"
