"""A child annotator for the shared-work tests: claims documents with the project's overlap and decides each.

    python claim_child.py FOLDER NAME OVERLAP MINUTES [HOLD]

Until no document is left for it: in one write transaction, the first document (project order) it has not
decided and that is available to it; claim it; accept it with one span as NAME. Prints one JSON line per step,
flushed: {"claimed": id} once the claim is committed, {"decided": id} once the decision is. With HOLD, after
its HOLD-th claim it keeps the document open (sleeps) instead of deciding it, as a person reading would.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlmodel import col, select

from models import store
from models.db.tables import Document
from models.project import open_project
from models.store.claims import _decided_by, available_to, claim, holders


def say(**what: int) -> None:
    sys.stdout.write(json.dumps(what) + "\n")
    sys.stdout.flush()


def main() -> int:
    folder, name, overlap, minutes = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    hold = int(sys.argv[5]) if len(sys.argv) > 5 else None
    claims = 0
    project = open_project(folder)
    project.config = project.config.model_copy(
        update={"project": project.config.project.model_copy(update={"annotator": name})}
    )
    skip: set[int] = set()
    # documents not yet decided by `overlap` people, that this one has not decided
    unfinished = select(col(Document.id)).where(
        holders(col(Document.id), name, datetime(9999, 1, 1, tzinfo=UTC)) < overlap,  # no claim is live then
        ~_decided_by(col(Document.id), name),
    )
    while True:
        with project.writing() as s:
            query = (
                select(col(Document.id))
                .where(available_to(name, overlap), ~_decided_by(col(Document.id), name))
                .where(~col(Document.id).in_(skip) if skip else col(Document.id) > 0)
                .order_by(col(Document.position))
                .limit(1)
            )
            doc = s.execute(query).scalar_one_or_none()
            if doc is None:
                if s.execute(unfinished).first() is None:
                    break
                time.sleep(0.1)  # the rest is claimed by others: wait for them, or for their claims to expire
                continue
            if not claim(doc, session=s, annotator=name, overlap=overlap, minutes=minutes):
                skip.add(doc)  # cannot happen under the write lock; counted by the test if it does
                say(refused=doc)
                continue
        say(claimed=doc)
        claims += 1
        if claims == hold:
            time.sleep(3600)
        with project.writing() as s:
            store.decide(doc, "accepted", session=s, annotator=name, add_spans=[(0, 4, "PERSON", "human", None)])
        say(decided=doc)
    project.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
