"""Helpers for the format tests: a fixture project with varied Unicode, and a snapshot of what is stored."""

from __future__ import annotations

from models.formats._export import STATUSES
from models.store import NewDocument, add_documents, iter_annotated_documents
from tests.conftest import INTEROP  # noqa: F401 - the real files other tools exported (tests/conftest.py)

# Token-aligned spans (for spacy.blank("en")) over texts with astral characters, combining marks, \r\n and RTL.

FIXTURE = [
    NewDocument(
        "Li Qiang met Putin in Beijing.",
        {"source": "news"},
        spans=[(0, 8, "PERSON"), (13, 18, "PERSON"), (22, 29, "GPE")],
        status="accepted",
    ),
    NewDocument(
        "😀 Ada Lovelace joined Acme Corp 🚀 today.",
        {"n": 2},
        spans=[(2, 14, "PERSON"), (22, 31, "ORG")],
        status="accepted",
    ),
    NewDocument(
        "Zoe\u0301 moved to Paris.\r\nShe works at Google.",
        {},
        spans=[(0, 4, "PERSON"), (14, 19, "GPE"), (35, 41, "ORG")],
        status="accepted",
    ),
    NewDocument(
        "\u05e9\u05dc\u05d5\u05dd \u05d9\u05e8\u05d5\u05e9\u05dc\u05d9\u05dd and Tel Aviv are cities.",
        {"rtl": True},
        spans=[(5, 12, "GPE"), (17, 25, "GPE")],
        status="accepted",
    ),
    NewDocument("Nothing to see here.", {}, spans=[], status="accepted"),
    NewDocument("Rejected text about IBM.", {}, spans=[(20, 23, "ORG")], status="rejected"),
    NewDocument("Ignored text about Bob.", {}, spans=[(19, 22, "PERSON")], status="ignored"),
    NewDocument("Pending text about Oslo.", {}, spans=[(19, 23, "GPE")], status="pending"),
    NewDocument("A plain document with no annotation.", {}),
]
LABELS = ("PERSON", "ORG", "GPE")


def fill(project, docs=FIXTURE) -> None:
    with project.writing() as session:
        add_documents(
            [
                NewDocument(d.text, dict(d.meta), spans=list(d.spans) if d.spans is not None else None, status=d.status)
                for d in docs
            ],
            session=session,
            annotator=project.annotator,
        )


def snapshot(project, statuses=STATUSES) -> dict[str, tuple[str, list, dict]]:
    """text -> (status, spans, meta) of every document of the project's annotator with one of `statuses`."""
    with project.session() as session:
        return {
            d.text: (d.status, d.spans, d.meta)
            for d in iter_annotated_documents(session=session, annotator=project.annotator, statuses=statuses)
        }


def counts(project) -> tuple[int, int, int]:
    """(documents, annotations, spans) rows in the database."""
    from sqlalchemy import text

    with project.session() as session:
        return tuple(
            session.execute(text(f"select count(*) from {t}")).scalar_one() for t in ("document", "annotation", "span")
        )
