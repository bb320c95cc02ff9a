"""Small team projects for tests: two documents, alice's and bob's annotations of them."""

from __future__ import annotations

from models import store

DOC1 = "Li Qiang met Vladimir Putin in Moscow."
DOC2 = "Apple hired Tim Cook in Cupertino today."
# alice and bob both accept both documents; bob splits the name differently, calls Moscow an ORG and adds a GPE.
ALICE = {DOC1: [(0, 8, "PERSON"), (13, 27, "PERSON"), (31, 37, "GPE")], DOC2: [(0, 5, "ORG"), (12, 20, "PERSON")]}
BOB = {
    DOC1: [(0, 8, "PERSON"), (22, 27, "PERSON"), (31, 37, "ORG")],
    DOC2: [(0, 5, "ORG"), (12, 20, "PERSON"), (24, 33, "GPE")],
}


def annotate(project, who: str, spans_by_text: dict[str, list[tuple[int, int, str]]], status="accepted") -> None:
    with project.writing() as s:
        ids = {d.text: d.id for d in (store.get_document(i, session=s) for i in store.document_ids(session=s))}
        for text, spans in spans_by_text.items():
            store.set_status(
                ids[text],
                status,
                session=s,
                annotator=who,
                add_spans=[(a, b, lab, "human", None) for a, b, lab in spans],
            )
