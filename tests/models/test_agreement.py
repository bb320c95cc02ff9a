"""Agreement between annotators (`tagdesk agreement`), against figures computed by hand on small projects."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from models import store
from models.metrics.agreement import SpanCounts, cohen_kappa, krippendorff_alpha, measure, span_counts, token_labels
from tests.models.team_support import ALICE, BOB, DOC1, DOC2, annotate


@pytest.fixture
def team(project):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=DOC1), store.NewDocument(text=DOC2)], session=s)
    annotate(project, "alice", ALICE)
    annotate(project, "bob", BOB)
    return project


def test_two_annotators_agree_as_computed_by_hand(team, cli):
    """Tokens (spaCy English, spaces left out), 8 per document; P=PERSON, G=GPE, R=ORG:

        DOC1   Li Qiang met Vladimir Putin in Moscow .        DOC2   Apple hired Tim Cook in Cupertino today .
        alice  P  P     O   P        P     O  G      O               R     O     P   P    O  O         O     O
        bob    P  P     O   O        P     O  R      O               R     O     P   P    O  G         O     O

    Exact spans: alice 5, bob 6, same 3 (Li Qiang, Apple, Tim Cook): F1 = 2*3 / (5+6) = 6/11.
    Overlap: bob finds 4 of alice's 5 (Vladimir Putin overlaps bob's Putin; Moscow differs in label), alice 4 of
    bob's 6: P = 4/6, R = 4/5, F1 = 2PR/(P+R) = 8/11.
    Kappa: 13 of 16 tokens alike, p_o = 13/16. Marginals alice P6 O8 G1 R1, bob P5 O8 G1 R2:
    p_e = (6*5 + 8*8 + 1*1 + 1*2)/256 = 97/256; kappa = (208/256 - 97/256)/(159/256) = 111/159 = 37/53.
    Alpha (nominal, 2 coders, 16 units, 32 values): 3 units disagree, each adding 2 off-diagonal coincidences,
    so sum(o_ck, c != k) = 6. Value totals P11 O16 G2 R3: sum(n_c n_k, c != k) = 32^2 - (121+256+4+9) = 634.
    alpha = 1 - (n-1) * 6/634 = 1 - 186/634 = 224/317.
    Per label (exact): PERSON alice 3, bob 3, same 2 -> 4/6; ORG 1, 2, same 1 -> 2/3; GPE 1, 1, same 0 -> 0.
    """
    code, out, err = cli("agreement", team.folder, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["documents"] == 2 and data["documents_differing"] == 2 and data["tokens"] == 16
    assert data["annotators"] == ["alice", "bob"]
    (pair,) = data["pairs"]
    assert pair["annotators"] == ["alice", "bob"]
    assert pair["exact"]["f1"] == round(6 / 11, 4) and pair["exact"]["spans"] == [5, 6]
    assert pair["overlap"]["f1"] == round(8 / 11, 4) and pair["overlap"]["matched"] == [4, 4]
    assert pair["cohen_kappa"] == round(37 / 53, 4)
    assert data["krippendorff_alpha"] == round(224 / 317, 4)
    assert pair["exact"]["labels"]["PERSON"]["f1"] == round(4 / 6, 4)
    assert pair["exact"]["labels"]["ORG"]["f1"] == round(2 / 3, 4)
    assert pair["exact"]["labels"]["GPE"]["f1"] == 0.0
    assert pair["overlap"]["labels"]["PERSON"]["f1"] == 1.0
    assert data["labels"]["PERSON"]["overlap"]["f1"] == 1.0

    code, out, err = cli("agreement", team.folder)
    assert code == 0, err
    assert "2 documents accepted by two or more of 2 annotators (alice, bob)" in out
    assert "alice / bob" in out and "0.545" in out and "0.727" in out and "0.698" in out and "0.707" in out


def test_a_third_annotator_with_one_document_is_missing_data_not_outside(team, cli):
    """carol accepts DOC1 exactly as alice did and rejects DOC2 (not compared there).

    Alpha over 24 + 16 = 40 values: DOC1's units now have 3 coders, each unit's coincidences weighted 1/(3-1).
    Disagreeing units: DOC1 'Vladimir' (P, O, P) and 'Moscow' (G, R, G) each give 2*2*1 ordered off-diagonal
    pairs / 2 = 2; DOC2 'Cupertino' (O, G) gives 2. Sum = 6. Totals P 11+4=15, O 10+9=19, G 2+1=3, R 1+2=3:
    sum(n_c n_k, c != k) = 1600 - (225+361+9+9) = 996. alpha = 1 - 39*6/996 = 762/996 = 127/166.
    alice/carol: one document, identical: F1 1, kappa 1. bob/carol on DOC1: 3 spans each, 1 the same: F1 1/3.
    """
    annotate(team, "carol", {DOC1: ALICE[DOC1]})
    annotate(team, "carol", {DOC2: []}, status="rejected")
    code, out, err = cli("agreement", team.folder, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["annotators"] == ["alice", "bob", "carol"]
    assert data["krippendorff_alpha"] == round(127 / 166, 4)
    pairs = {tuple(p["annotators"]): p for p in data["pairs"]}
    assert pairs["alice", "carol"]["documents"] == 1
    assert pairs["alice", "carol"]["exact"]["f1"] == 1.0 and pairs["alice", "carol"]["cohen_kappa"] == 1.0
    assert pairs["bob", "carol"]["exact"]["f1"] == round(1 / 3, 4)
    assert pairs["alice", "bob"]["documents"] == 2  # unchanged by carol
    assert data["statuses_differ"] == 1  # DOC2: accepted by alice and bob, rejected by carol

    code, out, err = cli("agreement", team.folder, "--json", "--annotators", "alice,carol")
    data = json.loads(out)
    assert [p["annotators"] for p in data["pairs"]] == [["alice", "carol"]]
    assert data["documents"] == 1 and data["krippendorff_alpha"] == 1.0


def test_no_overlap_yet_says_what_to_do(project, cli):
    with project.writing() as s:
        store.add_documents([store.NewDocument(text=DOC1)], session=s)
    annotate(project, "alice", {DOC1: ALICE[DOC1]})
    code, out, err = cli("agreement", project.folder)
    assert code == 0
    assert "no document was accepted by two or more annotators" in out and "1 accepted by one" in out
    assert "--annotator" in out
    code, out, err = cli("agreement", project.folder, "--json")
    data = json.loads(out)
    assert data["documents"] == 0 and data["krippendorff_alpha"] is None and data["pairs"] == []
    assert data["accepted_by_one"] == 1


def test_pending_and_unfinished_annotations_are_not_compared(team, cli):
    """dave only started DOC1 (a span, no decision): his annotation is pending and not compared."""
    with team.writing() as s:
        doc = store.document_ids(session=s)[0]
        store.add_span(doc, 0, 8, "ORG", session=s, annotator="dave")
    data = json.loads(cli("agreement", team.folder, "--json")[1])
    assert data["annotators"] == ["alice", "bob"]


def test_overlap_match_counts_each_side():
    """A: "Vladimir Putin" as one PERSON; B: "Vladimir" and "Putin" as two. Exact: nothing in common (F1 0).
    Overlap: B matches A's one span (R = 1/1) and A matches both of B's (P = 2/2): F1 1."""
    a, b = [(13, 27, "PERSON")], [(13, 21, "PERSON"), (22, 27, "PERSON")]
    assert span_counts(a, b, "exact")["PERSON"].f1 == 0.0
    counts = span_counts(a, b, "overlap")["PERSON"]
    assert (counts.a, counts.b, counts.matched_a, counts.matched_b) == (1, 2, 1, 2) and counts.f1 == 1.0
    # F1 does not depend on who is called A
    assert span_counts(b, a, "overlap")["PERSON"].f1 == 1.0
    # same characters, another label: no match in either mode
    assert span_counts(a, [(13, 27, "ORG")], "overlap")["PERSON"].f1 == 0.0
    # a label neither used has no F1 at all
    assert SpanCounts().f1 is None


def test_cohen_kappa_by_hand():
    """20 tokens: both O on 14, both PERSON on 3, A PERSON / B O on 2, A O / B PERSON on 1.
    p_o = 17/20; A: P5 O15, B: P4 O16; p_e = (5*4 + 15*16)/400 = 260/400; kappa = (340-260)/(400-260) = 4/7."""
    confusion = {("O", "O"): 14, ("PERSON", "PERSON"): 3, ("PERSON", "O"): 2, ("O", "PERSON"): 1}
    assert cohen_kappa(confusion) == pytest.approx(float(Fraction(4, 7)))
    # both gave every token "O": chance agreement is 1, kappa is undefined (not 1, not 0)
    assert cohen_kappa({("O", "O"): 10}) is None
    assert cohen_kappa({}) is None


def test_alpha_is_undefined_when_a_single_value_is_used():
    import numpy as np

    assert krippendorff_alpha(np.array([[2, 0], [2, 0]])) is None
    assert krippendorff_alpha(np.zeros((0, 2), dtype=np.int64)) is None


def test_a_token_takes_the_label_of_a_span_that_covers_part_of_it():
    """Tokens "Li" 0-2, "Qiang" 3-8, "met" 9-12: a span 1-4 ("i Q") covers part of both names."""
    codes = {"O": 0}
    labels = token_labels([(0, 2), (3, 8), (9, 12)], [(1, 4, "PERSON")], codes)
    assert labels.tolist() == [1, 1, 0] and codes == {"O": 0, "PERSON": 1}


def test_measure_leaves_out_documents_with_one_annotator():
    class Doc:
        def __init__(self, text, spans):
            self.text, self.spans = text, spans

    docs = [Doc("a b", {"x": [(0, 1, "L")]}), Doc("a b", {"x": [(0, 1, "L")], "y": [(0, 1, "L")]})]
    seen = []
    result = measure(docs, lambda text: [(0, 1), (2, 3)], on_document=seen.append)
    assert result.documents == 1 and seen == [1] and result.pairs[0].kappa == 1.0


def test_side_by_side_pages_through_documents_in_project_order(team):
    """Pages of one document each still yield every compared document once, with each annotator's spans."""
    with team.writing() as s:
        store.add_documents([store.NewDocument(text="Nobody compared this one.")], session=s)
    with team.session() as s:
        docs = list(store.side_by_side(session=s, batch=1))
    assert [d.text for d in docs] == [DOC1, DOC2]
    assert docs[0].spans == {"alice": ALICE[DOC1], "bob": BOB[DOC1]}
    assert docs[1].spans == {"alice": ALICE[DOC2], "bob": BOB[DOC2]}
