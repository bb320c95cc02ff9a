"""A child reviewer for the shared-work tests: settles where annotators differ into gold annotations while they work.

    python review_child.py FOLDER NAME [--overlap K] [--skip D,D,...]

Until every document is decided by K annotators and nothing is left to review: the documents whose annotators
differ and that no reviewer decided (`models.review.to_review`, what the window's review mode goes through), each
settled as the window's review mode writes it, with the store's functions on the gold annotation (`GOLD`): on
even documents one annotator's version (in each difference, the alternative the first annotator chose, picked
with `add_span`); on odd ones the first difference's first alternative picked and then relabelled (the reviewer's
own edit, `update_span`) and the other differences left out; then accepted with the agreed spans
(`decide(..., add_spans=agreed)`, the window's "a"). Documents in --skip are left unreviewed on purpose.

Every gold write is one JSON line, flushed once committed: {"op": "add_span" | "update_span" | "set_status",
"doc", "version"}, and after the accept {"op": "gold", "doc", "version", "spans": [[start, end, label], ...]}, the
gold annotation it settled.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlmodel import col, select

from models import store
from models.db.tables import Document
from models.project import Project, open_project
from models.review import Proposal, to_review
from models.store.claims import holders
from models.team import GOLD


def say(**what: object) -> None:
    sys.stdout.write(json.dumps(what) + "\n")
    sys.stdout.flush()


def settle(project: Project, p: Proposal, labels: list[str]) -> None:
    """Write the gold annotation of one document as the window's review mode would, and log each write."""
    doc, version = p.document_id, 0  # 0: no gold annotation yet (a second reviewer's would make this stale)
    groups = p.groups()
    gold = [c.span for c in p.agreed]
    if doc % 2 == 0:  # one annotator's version: in each difference, what the first annotator chose (if anything)
        picks = [c.span for g in groups for c in g if p.annotators[0] in c.annotators]
        edit = None
    else:  # the first difference's first alternative, relabelled by the reviewer; the other differences left out
        first = groups[0][0]
        picks = [first.span]
        edit = (first.start, first.end, next(x for x in labels if x != first.label))
    for start, end, label in picks:
        with project.writing() as s:
            w = store.add_span(
                doc, start, end, label, session=s, annotator=GOLD, origin="human", expected_version=version
            )
        version = w.version
        say(op="add_span", doc=doc, version=version)
    if edit is not None:
        with project.writing() as s:
            span = store.span_at(doc, picks[0][0], picks[0][1], session=s, annotator=GOLD)
            w = store.update_span(span.id, session=s, label=edit[2], annotator=GOLD, expected_version=version)
        version = w.version
        say(op="update_span", doc=doc, version=version)
        picks = [edit]
    with project.writing() as s:
        w = store.decide(
            doc,
            "accepted",
            session=s,
            annotator=GOLD,
            add_spans=[(*span, "human", None) for span in gold],
            expected_version=version,
        )
    say(op="set_status", doc=doc, version=w.version)
    say(op="gold", doc=doc, version=w.version, spans=sorted(gold + picks))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("folder")
    p.add_argument("name")
    p.add_argument("--overlap", type=int, default=2)
    p.add_argument("--skip", type=lambda v: {int(x) for x in v.split(",") if x}, default=set())
    args = p.parse_args()
    project = open_project(args.folder)
    project.annotator = args.name
    labels = project.config.label_names
    # documents not yet decided by `overlap` annotators (a reviewer never annotates, so none is the reviewer's)
    unfinished = select(col(Document.id)).where(
        holders(col(Document.id), args.name, datetime(9999, 1, 1, tzinfo=UTC)) < args.overlap
    )
    while True:
        with project.session() as s:  # whether the annotators are done, read before what is left to review
            working = s.execute(unfinished).first() is not None
        with project.session() as s:
            waiting = [x for x in to_review(session=s) if x.document_id not in args.skip]
        if not waiting and not working:
            break
        for proposal in waiting:
            settle(project, proposal, labels)
        if not waiting:
            time.sleep(0.1)
    project.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
