"""A small project whose entities a model learns in a few steps: "<name> flew to <city>" sentences."""

from __future__ import annotations

import random

from models import store
from models.project import Project

NAMES = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy"]
CITIES = ["Paris", "Berlin", "Rome", "Madrid", "Lisbon", "Vienna", "Oslo", "Prague"]


def sentences(n: int, seed: int = 0, offset: int = 0) -> list[store.NewDocument]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        who, where = rng.choice(NAMES), rng.choice(CITIES)
        text = f"On day {i + offset} {who} flew to {where} for a meeting."
        a, b = text.index(who), text.index(where)
        out.append(
            store.NewDocument(
                text=text, spans=[(a, a + len(who), "PERSON"), (b, b + len(where), "CITY")], status="accepted"
            )
        )
    return out


def add(project: Project, docs: list[store.NewDocument], annotator: str = "ann") -> None:
    with project.writing() as s:
        store.add_documents(docs, session=s, annotator=annotator)


def table_snapshot(project: Project) -> dict[str, list]:
    """Every row of the annotation tables (what training must never change)."""
    from sqlalchemy import text

    out = {}
    with project.session() as s:
        for table in ("annotation", "span", "event", "dismissal", "document"):
            out[table] = [tuple(r) for r in s.connection().execute(text(f"SELECT * FROM {table} ORDER BY id"))]
    return out
