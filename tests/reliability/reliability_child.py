"""A second Tagdesk process for the reliability tests: it makes decisions through the real store functions.

    python reliability_child.py PROJECT SEED COUNT [--docs N] [--slots K:R] [--go-file PATH] [--imports]
        [--hold opening | committing:N | committed:N] [--say-waiting] [--only-imports] [--retry]

Each decision is one `project.writing()` session calling `add_span`, `update_span`, `remove_span` or `decide`
with `expected_version` (exactly what the window's undo commands do): spans drawn, changed and removed, statuses
set, documents accepted with model suggestions added, and such an accept undone (its spans removed, the status
before restored). After the call returns (committed), the decision is printed as one JSON line and flushed: that
line is the acknowledgement the tests hold Tagdesk to.
`--say-waiting` prints a "waiting" line just before each decision asks for the write lock.
`--hold` stops the child at one point and waits on stdin (the test kills it there): while opening the project
(its database file just connected), inside the Nth decision with its statements run but not committed
("committing"), or just after the Nth decision committed, before its acknowledgement ("committed").
Spans go in word slots (slot s = characters 5s..5s+4 of the test texts); `--slots K:R` keeps this process to
slots with s % K == R, so two processes never collide on a span, only on the annotation's version.
COUNT 0 means: run until killed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from models import store
from models.errors import DatabaseError, StaleAnnotationError
from models.project import open_project

STATUSES = ["accepted", "rejected", "ignored", "pending"]
SAY_WAITING = "--say-waiting" in sys.argv
ACCEPTS: dict[int, tuple[int, str, list]] = {}  # doc -> (version after this child accepted it, before, spans added)


def ack(**fields) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def hold(what: str, **fields) -> None:
    """Say where the child stopped, then wait for the kill."""
    ack(op=what, **fields)
    sys.stdin.readline()
    os._exit(4)  # the test kills the child before it writes anything here


def hold_in_decision(when: str, n: int) -> None:
    """Stop inside the nth decision: before its commit ("committing") or right after it ("committed")."""
    count = {"n": 0}

    def on_commit(_session) -> None:
        count["n"] += 1
        if count["n"] == n:
            hold(when, decision=n)

    event.listen(Session, "before_commit" if when == "committing" else "after_commit", on_commit)


def current(project, doc: int) -> tuple[int, list]:
    with project.session() as s:
        ann = store.get_annotation(doc, session=s, annotator=project.annotator)
        return (ann.version if ann else 0), store.spans_of(doc, session=s, annotator=project.annotator)


def current_status(project, doc: int) -> str:
    with project.session() as s:
        ann = store.get_annotation(doc, session=s, annotator=project.annotator)
        return ann.status if ann else "pending"


def decide(project, rng: random.Random, docs: list[int], slots: int, mod: int, res: int) -> None:
    doc = rng.choice(docs)
    version, spans = current(project, doc)
    mine = [sp for sp in spans if (sp.start // 5) % mod == res]
    labels = project.config.label_names
    op = rng.choices(["add", "update", "remove", "status", "accept", "undo"], weights=[40, 15, 15, 10, 12, 8])[0]
    if op in ("update", "remove") and not mine:
        op = "add"
    if op == "undo" and ACCEPTS.get(doc, (None,))[0] != version:
        op = "accept"  # nothing of ours to undo: the last change to this document was not our accept
    if SAY_WAITING:
        ack(op="waiting", doc=doc)  # about to take the write lock
    try:
        with project.writing() as s:
            if op == "add":
                taken = {sp.start // 5 for sp in spans}
                free = [k for k in range(slots) if k % mod == res and k not in taken]
                if not free:
                    return
                k = rng.choice(free)
                start, end, label = 5 * k, 5 * k + rng.randint(1, 4), rng.choice(labels)
                sp = store.add_span(
                    doc, start, end, label, session=s, annotator=project.annotator, expected_version=version
                ).span
                ack(op="add_span", doc=doc, version=version + 1, span=sp.id, start=start, end=end, label=label)
            elif op == "update":
                sp = rng.choice(mine)
                end, label = sp.start + rng.randint(1, 4), rng.choice(labels)
                store.update_span(
                    sp.id, session=s, annotator=project.annotator, end=end, label=label, expected_version=version
                )
                ack(op="update_span", doc=doc, version=version + 1, span=sp.id, start=sp.start, end=end, label=label)
            elif op == "remove":
                sp = rng.choice(mine)
                store.remove_span(sp.id, session=s, annotator=project.annotator, expected_version=version)
                ack(op="remove_span", doc=doc, version=version + 1, span=sp.id, start=sp.start)
            elif op == "accept":  # `a` with the model's suggestions: they become spans in the same transaction
                taken = {sp.start // 5 for sp in spans}
                free = [k for k in range(slots) if k % mod == res and k not in taken]
                picked = sorted(rng.sample(free, min(len(free), rng.randint(0, 3))))
                added = [[5 * k, 5 * k + 4, rng.choice(labels)] for k in picked]
                before = current_status(project, doc)
                store.decide(
                    doc,
                    "accepted",
                    session=s,
                    annotator=project.annotator,
                    add_spans=[(a, b, lab, "model", round(rng.random(), 3)) for a, b, lab in added],
                    seconds=round(rng.uniform(0.5, 30.0), 2),
                    expected_version=version,
                )
                ACCEPTS[doc] = (version + 1, before, added)
                ack(op="set_status", doc=doc, version=version + 1, status="accepted", added=added)
            elif op == "undo":  # Ctrl+Z on that accept: its spans go, the status before comes back
                _v, before, added = ACCEPTS.pop(doc)
                store.decide(
                    doc,
                    before,
                    session=s,
                    annotator=project.annotator,
                    remove_spans=[(a, b) for a, b, _lab in added],
                    expected_version=version,
                )
                ack(op="set_status", doc=doc, version=version + 1, status=before, removed=added)
            else:
                status = rng.choice(STATUSES)
                store.set_status(doc, status, session=s, annotator=project.annotator, expected_version=version)
                ack(op="set_status", doc=doc, version=version + 1, status=status)
    except StaleAnnotationError as exc:
        ack(op="stale", doc=doc, message=str(exc))


def import_batch(project, seed: int, n: int) -> None:
    name = f"batch-{seed}-{n}"
    docs = [store.NewDocument(text=f"{name} document {i}: " + "lorem ipsum " * 20) for i in range(50)]
    with project.writing() as s:
        result = store.add_documents(docs, session=s, source=name, annotator=project.annotator)
    ack(op="import", source=name, added=result.added)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("project")
    p.add_argument("seed", type=int)
    p.add_argument("count", type=int)
    p.add_argument("--docs", type=int, default=4, help="decide on documents 1..N")
    p.add_argument("--slots", default="1:0")
    p.add_argument("--go-file", default=None, help="after printing ready, wait until this file exists (races)")
    p.add_argument("--imports", action="store_true", help="also import batches of 50 documents")
    p.add_argument("--say-waiting", action="store_true", help="print a 'waiting' line before taking the lock")
    p.add_argument("--hold", default=None, help="opening | committing:N | committed:N (then wait for the kill)")
    p.add_argument("--only-imports", action="store_true", help="import batches of 50 documents, nothing else")
    p.add_argument(
        "--retry",
        action="store_true",
        help="a database failure (the server restarting) is acknowledged as 'unsaved' and the loop goes on",
    )
    args = p.parse_args(argv)
    mod, res = map(int, args.slots.split(":"))
    rng = random.Random(args.seed)
    if args.hold == "opening":
        event.listen(Engine, "connect", lambda *_a: hold("opening"))
    project = open_project(args.project)
    if args.hold and args.hold != "opening":
        when, n = args.hold.split(":")
        hold_in_decision(when, int(n))
    with project.session() as s:
        length = len(store.get_document(1, session=s).text)
    ack(op="ready")
    while args.go_file and not os.path.exists(args.go_file):
        time.sleep(0.005)
    docs = list(range(1, args.docs + 1))
    i = 0
    while args.count == 0 or i < args.count:
        try:
            if args.only_imports or (args.imports and rng.random() < 0.05):
                import_batch(project, args.seed, i)
            else:
                decide(project, rng, docs, length // 5, mod, res)
        except DatabaseError as exc:
            if not args.retry:
                raise
            ack(op="unsaved", message=str(exc))
            time.sleep(0.05)
        i += 1
    project.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
