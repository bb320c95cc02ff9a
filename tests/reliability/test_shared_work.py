"""Shared work with overlap: real annotator processes claim documents on one SQLite file at once; no document is
ever held by more annotators than the overlap, every document ends with exactly that many decisions, and a
desktop killed with SIGKILL frees what it had claimed when its claims expire."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from reliability_helpers import LABELS

from models import store
from models.project import new_project, open_project
from models.store.claims import holders_of

pytestmark = pytest.mark.slow
CHILD = Path(__file__).resolve().parent / "claim_child.py"
STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _end_children():
    """A failed test must not leave its annotator processes running."""
    yield
    while STARTED:
        kid = STARTED.pop()
        if kid.poll() is None:
            kid.kill()
            kid.wait()


def make_team_project(folder: Path, docs: int) -> Path:
    """A project of `docs` distinct texts of 60 four-character words (slot k is characters 5k..5k+4)."""
    texts = [
        " ".join(f"{chr(97 + (d + k) % 26)}{chr(97 + (d // 26) % 26)}{k:02d}" for k in range(60)) for d in range(docs)
    ]
    with new_project(folder, LABELS, annotator="setup") as project, project.writing() as s:
        assert store.add_documents([store.NewDocument(text=t) for t in texts], session=s).added == docs
    return folder


def start(folder: Path, name: str, overlap: int, minutes: float, out: Path, *more: str) -> subprocess.Popen:
    with open(out, "ab") as fh:
        kid = subprocess.Popen(
            [
                sys.executable,
                str(CHILD),
                str(folder),
                name,
                "--overlap",
                str(overlap),
                "--minutes",
                str(minutes),
                *more,
            ],
            stdout=fh,
            stderr=subprocess.PIPE,
        )
    STARTED.append(kid)
    return kid


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().split("\n")[:-1] if x]


def decided(folder: Path) -> dict[int, list[str]]:
    with open_project(folder) as project, project.session() as s:
        out: dict[int, list[str]] = {}
        for doc in store.document_ids(session=s):
            out[doc] = holders_of(doc, session=s)
        return out


def test_six_annotators_overlap_two_never_more(tmp_path):
    folder = make_team_project(tmp_path / "proj", docs=24)
    names = [f"p{i}" for i in range(6)]
    outs = {n: tmp_path / f"{n}.jsonl" for n in names}
    kids = {n: start(folder, n, 2, 30.0, outs[n]) for n in names}
    for kid in kids.values():
        _out, err = kid.communicate(timeout=240)
        assert kid.returncode == 0, err.decode()[-3000:]
        assert b"locked" not in err
    events = {n: lines(outs[n]) for n in names}
    assert not any("refused" in e for es in events.values() for e in es)
    per_doc = Counter(e["doc"] for es in events.values() for e in es if e.get("op") == "set_status")
    assert per_doc == Counter(dict.fromkeys(range(1, 25), 2))  # every document, by exactly two
    holders = decided(folder)
    assert all(len(h) == 2 for h in holders.values()), holders
    # the work was shared out, not taken by the first two processes alone
    assert sum(1 for es in events.values() if any(e.get("op") == "set_status" for e in es)) >= 3


def test_a_killed_desktops_claims_expire_and_others_finish_its_documents(tmp_path):
    folder = make_team_project(tmp_path / "proj", docs=6)
    minutes = 2 / 60  # claims last 2 s here
    victim_out = tmp_path / "victim.jsonl"
    victim = start(folder, "victim", 1, minutes, victim_out, "--hold", "2")  # decides one, then holds its second
    deadline = time.monotonic() + 60
    while sum("claimed" in e for e in lines(victim_out)) < 2:
        assert time.monotonic() < deadline and victim.poll() is None
        time.sleep(0.01)
    os.kill(victim.pid, signal.SIGKILL)  # while it holds a claimed document it never decides
    victim.wait()
    done_by_victim = {e["doc"] for e in lines(victim_out) if e.get("op") == "set_status"}
    held = {e["claimed"] for e in lines(victim_out) if "claimed" in e} - done_by_victim
    outs = {n: tmp_path / f"{n}.jsonl" for n in ("a", "b")}
    kids = {n: start(folder, n, 1, minutes, outs[n]) for n in outs}
    for kid in kids.values():
        _out, err = kid.communicate(timeout=120)
        assert kid.returncode == 0, err.decode()[-3000:]
    others = [e["doc"] for n in outs for e in lines(outs[n]) if e.get("op") == "set_status"]
    # overlap 1: the victim's decided documents are not done again; everything else is done exactly once
    assert sorted(others) == sorted(set(range(1, 7)) - done_by_victim)
    assert held == {2} and 2 in others  # what the victim held when it died was freed, and finished by the others
    assert all(len(h) == 1 for h in decided(folder).values())


def stored_work(folder: Path) -> tuple[dict[tuple[int, str], list[tuple[int, int, str]]], dict[tuple[int, str], int]]:
    """Every person's spans and annotation version per (document, annotator), read back from the database."""
    from sqlmodel import select

    from models.db.tables import Annotation, Span

    spans: dict[tuple[int, str], list[tuple[int, int, str]]] = {}
    versions: dict[tuple[int, str], int] = {}
    with open_project(folder) as project, project.session() as s:
        for ann in s.exec(select(Annotation)).all():
            versions[(ann.document_id, ann.annotator)] = ann.version
        for sp, doc, who in s.exec(
            select(Span, Annotation.document_id, Annotation.annotator).join(
                Annotation, Annotation.id == Span.annotation_id
            )
        ).all():
            spans.setdefault((doc, who), []).append((sp.start, sp.end, sp.label))
    return spans, versions


def test_load_eight_annotators_300_decisions_each_one_killed_and_restarted(tmp_path):
    """8 real annotator processes, overlap 2, each making 300 decisions (spans, then accepting the document) on
    the documents the shared queue gives them; one is SIGKILLed midway and started again. Afterwards every
    acknowledged decision is stored, no annotation lost an update, no document was held by more than two,
    and nothing said "database is locked"."""
    folder = make_team_project(tmp_path / "proj", docs=400)
    names = [f"ann{i}" for i in range(8)]
    outs = {n: tmp_path / f"{n}.jsonl" for n in names}
    kids = {n: start(folder, n, 2, 30.0, outs[n], "--decisions", "300") for n in names}
    victim = names[3]
    deadline = time.monotonic() + 300
    while len(lines(outs[victim])) < 120:
        assert time.monotonic() < deadline
        assert kids[victim].poll() is None, kids[victim].stderr.read().decode()[-3000:]
        time.sleep(0.02)
    os.kill(kids[victim].pid, signal.SIGKILL)
    kids[victim].wait()
    made = sum(1 for e in lines(outs[victim]) if "op" in e)
    kids[victim] = start(folder, victim, 2, 30.0, outs[victim], "--decisions", str(300 - made), "--seed", "1")
    for kid in kids.values():
        _out, err = kid.communicate(timeout=900)
        assert kid.returncode == 0, err.decode()[-3000:]
        assert b"locked" not in err
    acks = {n: [e for e in lines(outs[n]) if "op" in e] for n in names}
    assert all(len(a) == 300 for a in acks.values()), {n: len(a) for n, a in acks.items()}
    assert not any("refused" in e for n in names for e in lines(outs[n]))
    spans, versions = stored_work(folder)
    for n in names:
        for a in acks[n]:
            key = (a["doc"], n)
            assert versions.get(key, 0) >= a["version"], f"acknowledged decision lost: {n} {a}"
            if a["op"] == "add_span":
                assert (a["start"], a["end"], a["label"]) in spans.get(key, []), f"acknowledged span lost: {n} {a}"
    # each annotation holds exactly what its annotator acknowledged (plus, for the killed one, at most the one
    # decision it committed but did not live to acknowledge)
    for (doc, who), stored in spans.items():
        acked = [(a["start"], a["end"], a["label"]) for a in acks[who] if a["op"] == "add_span" and a["doc"] == doc]
        extra = set(stored) - set(acked)
        assert len(extra) <= (1 if who == victim else 0), (doc, who, extra)
    held = decided(folder)
    assert max(len(h) for h in held.values()) <= 2, [d for d, h in held.items() if len(h) > 2]
    assert sum(len(h) for h in held.values()) >= 8 * 300 // 6  # the work really was done and shared out
