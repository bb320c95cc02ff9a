"""A child annotator for the shared-work tests: claims documents under the project's overlap and works on them.

    python claim_child.py FOLDER NAME [--overlap K] [--minutes M] [--hold N] [--decisions N] [--spans] [--seed S]
                          [--words] [--agree K] [--trespass] [--go PATH]

Until nothing is left for it (or it made --decisions decisions): in one write transaction, the queue's next
document for it under the overlap, claimed (`models.queue.next_document`, what the window asks); then, with
--decisions or --spans, add one to four spans in free word slots (one decision each), and accept it (one more). Every
step is one JSON line, flushed once committed: {"claimed": doc},
{"op": "add_span", "doc", "version", "start", "end", "label"}, {"op": "set_status", "doc", "version"}.
With --hold N it keeps its N-th claimed document open (sleeps) instead, as a person reading it would. When the
rest is claimed by others it waits for them or for their claims to expire.

With --go PATH it says {"ready": NAME} once the project is open and starts when PATH exists (several children
starting together however long each took to load). With --words every span covers a whole word (what the token
formats of an export need). With --agree K the spans of every K-th document come from the document's number alone,
so all its annotators choose the same; on the document after each of those only the first span does (they agree on
it and differ on the rest). With --trespass, after its first accepted document it tries to add a span to that
document's gold annotation, which only a reviewer may change: {"tried": "gold", "doc", "refused": message} (or
"written": version if the store let it through).
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
from models.team import GOLD

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
    p.add_argument("--spans", action="store_true", help="add spans before accepting, with no limit on decisions")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--words", action="store_true", help="spans cover whole words")
    p.add_argument("--agree", type=int, help="every K-th document: the same spans for all its annotators")
    p.add_argument("--trespass", action="store_true", help="try once to write the gold annotation")
    p.add_argument("--go", type=Path, help="start when this file exists")
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
    if args.go is not None:
        say(ready=name)
        while not args.go.exists():
            time.sleep(0.02)
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
        if args.decisions is not None or args.spans:
            with project.session() as s:
                taken = {sp.start // 5 for sp in store.spans_of(doc, session=s, annotator=name)}
            for k, end, label in planned(doc, taken, rng, labels, args.words, args.agree):
                if args.decisions is not None and made >= args.decisions:
                    break
                start, end = 5 * k, 5 * k + end
                with project.writing() as s:
                    w = store.add_span(doc, start, end, label, session=s, annotator=name)
                made += 1
                say(op="add_span", doc=doc, version=w.version, start=start, end=end, label=label)
            if args.decisions is not None and made >= args.decisions:
                break
        with project.writing() as s:
            w = store.decide(doc, "accepted", session=s, annotator=name)
        made += 1
        say(op="set_status", doc=doc, version=w.version)
        if args.trespass:
            args.trespass = False
            try:
                with project.writing() as s:
                    w = store.add_span(doc, 0, 4, labels[0], session=s, annotator=GOLD)
                say(tried="gold", doc=doc, written=w.version)
            except store.NotAllowedError as exc:
                say(tried="gold", doc=doc, refused=str(exc))
    project.close()
    return 0


def planned(
    doc: int, taken: set[int], rng: random.Random, labels: list[str], words: bool, agree: int | None
) -> list[tuple[int, int, str]]:
    """The spans to add: (word slot, end within the word, label), one to four in free slots."""

    def pick(r: random.Random, free: list[int], n: int) -> list[tuple[int, int, str]]:
        return [(k, 4 if words else r.randint(1, 4), r.choice(labels)) for k in r.sample(free, n)]

    free = [k for k in range(SLOTS) if k not in taken]
    if agree and doc % agree in (0, 1):
        shared = random.Random(doc)  # the document's number alone: every annotator draws the same
        same = pick(shared, free, shared.randint(1, 4) if doc % agree == 0 else 1)
        if doc % agree == 0:
            return same
        return same + pick(rng, [k for k in free if k != same[0][0]], rng.randint(1, 3))
    return pick(rng, free, rng.randint(1, 4))


if __name__ == "__main__":
    sys.exit(main())
