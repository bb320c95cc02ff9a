"""A child annotator for the shared-work tests: claims documents under the project's overlap and works on them.

    python claim_child.py FOLDER NAME [--overlap K] [--minutes M] [--hold N] [--decisions N] [--seed S]

Until nothing is left for it (or it made --decisions decisions): in one write transaction, the queue's next
document for it under the overlap, claimed (`models.queue.next_document`, what the window asks); then, with
--decisions, add one to four spans in free word slots (one decision each), and accept it (one more). Every
step is one JSON line, flushed once committed: {"claimed": doc},
{"op": "add_span", "doc", "version", "start", "end", "label"}, {"op": "set_status", "doc", "version"}.
With --hold N it keeps its N-th claimed document open (sleeps) instead, as a person reading it would. When the
rest is claimed by others it waits for them or for their claims to expire.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlmodel import col, select

from models import queue, store
from models.db.tables import Document
from models.project import open_project
from models.store.claims import _decided_by, holders

SLOTS = 60  # the reliability texts: slot k is characters 5k..5k+4


def say(**what: object) -> None:
    sys.stdout.write(json.dumps(what) + "\n")
    sys.stdout.flush()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("folder")
    p.add_argument("name")
    p.add_argument("--overlap", type=int, default=2)
    p.add_argument("--minutes", type=float, default=30.0)
    p.add_argument("--hold", type=int)
    p.add_argument("--decisions", type=int)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    name, overlap = args.name, args.overlap
    rng = random.Random(f"{name}-{args.seed}")
    project = open_project(args.folder)
    project.annotator = name
    labels = project.config.label_names
    mine = ~_decided_by(col(Document.id), name)
    # documents not yet decided by `overlap` people, that this one has not decided (no claim is live in 9999)
    unfinished = select(col(Document.id)).where(
        holders(col(Document.id), name, datetime(9999, 1, 1, tzinfo=UTC)) < overlap, mine
    )
    claims = made = 0
    while args.decisions is None or made < args.decisions:
        with project.writing() as s:  # the window's "next": the one queue function, claiming what it returns
            step = queue.next_document(session=s, annotator=name, after=None, overlap=overlap, minutes=args.minutes)
            doc = step.document_id if step else None
            left = doc is not None or s.execute(unfinished).first() is not None
        if not left:
            break
        if doc is None:
            time.sleep(0.1)  # the rest is held by others: wait (outside the transaction) for them or their claims
            continue
        say(claimed=doc)
        claims += 1
        if claims == args.hold:
            time.sleep(3600)
        if args.decisions is not None:
            with project.session() as s:
                taken = {sp.start // 5 for sp in store.spans_of(doc, session=s, annotator=name)}
            for k in rng.sample([k for k in range(SLOTS) if k not in taken], rng.randint(1, 4)):
                if made >= args.decisions:
                    break
                start, end, label = 5 * k, 5 * k + rng.randint(1, 4), rng.choice(labels)
                with project.writing() as s:
                    w = store.add_span(doc, start, end, label, session=s, annotator=name)
                made += 1
                say(op="add_span", doc=doc, version=w.version, start=start, end=end, label=label)
            if made >= args.decisions:
                break
        with project.writing() as s:
            w = store.decide(doc, "accepted", session=s, annotator=name)
        made += 1
        say(op="set_status", doc=doc, version=w.version)
    project.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
