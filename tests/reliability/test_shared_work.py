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
from reliability_helpers import make_child_project

from models import store
from models.project import open_project
from models.store.claims import holders_of

pytestmark = pytest.mark.slow
CHILD = Path(__file__).resolve().parent / "claim_child.py"


def start(folder: Path, name: str, overlap: int, minutes: float, out: Path, *more: str) -> subprocess.Popen:
    with open(out, "wb") as fh:
        return subprocess.Popen(
            [sys.executable, str(CHILD), str(folder), name, str(overlap), str(minutes), *more],
            stdout=fh,
            stderr=subprocess.PIPE,
        )


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().split("\n")[:-1] if x]


def decided(folder: Path) -> dict[int, list[str]]:
    with open_project(folder) as project, project.session() as s:
        out: dict[int, list[str]] = {}
        for doc in store.document_ids(session=s):
            out[doc] = holders_of(doc, session=s)
        return out


def test_six_annotators_overlap_two_never_more(tmp_path):
    folder = make_child_project(tmp_path / "proj", docs=24)
    names = [f"p{i}" for i in range(6)]
    outs = {n: tmp_path / f"{n}.jsonl" for n in names}
    kids = {n: start(folder, n, 2, 30.0, outs[n]) for n in names}
    for kid in kids.values():
        _out, err = kid.communicate(timeout=240)
        assert kid.returncode == 0, err.decode()[-3000:]
        assert b"locked" not in err
    events = {n: lines(outs[n]) for n in names}
    assert not any("refused" in e for es in events.values() for e in es)
    per_doc = Counter(e["decided"] for es in events.values() for e in es if "decided" in e)
    assert per_doc == Counter(dict.fromkeys(range(1, 25), 2))  # every document, by exactly two
    holders = decided(folder)
    assert all(len(h) == 2 for h in holders.values()), holders
    # the work was shared out, not taken by the first two processes alone
    assert sum(1 for es in events.values() if any("decided" in e for e in es)) >= 3


def test_a_killed_desktops_claims_expire_and_others_finish_its_documents(tmp_path):
    folder = make_child_project(tmp_path / "proj", docs=6)
    minutes = 2 / 60  # claims last 2 s here
    victim_out = tmp_path / "victim.jsonl"
    victim = start(folder, "victim", 1, minutes, victim_out, "2")  # decides one, then holds its second
    deadline = time.monotonic() + 60
    while sum("claimed" in e for e in lines(victim_out)) < 2:
        assert time.monotonic() < deadline and victim.poll() is None
        time.sleep(0.01)
    os.kill(victim.pid, signal.SIGKILL)  # while it holds a claimed document it never decides
    victim.wait()
    done_by_victim = {e["decided"] for e in lines(victim_out) if "decided" in e}
    held = {e["claimed"] for e in lines(victim_out) if "claimed" in e} - done_by_victim
    outs = {n: tmp_path / f"{n}.jsonl" for n in ("a", "b")}
    kids = {n: start(folder, n, 1, minutes, outs[n]) for n in outs}
    for kid in kids.values():
        _out, err = kid.communicate(timeout=120)
        assert kid.returncode == 0, err.decode()[-3000:]
    others = [e["decided"] for n in outs for e in lines(outs[n]) if "decided" in e]
    # overlap 1: the victim's decided documents are not done again; everything else is done exactly once
    assert sorted(others) == sorted(set(range(1, 7)) - done_by_victim)
    assert held == {2} and 2 in others  # what the victim held when it died was freed, and finished by the others
    assert all(len(h) == 1 for h in decided(folder).values())
