"""Shared work with overlap: real annotator processes claim documents on one database at once (a SQLite file, and
a PostgreSQL server); no document is ever held by more annotators than the overlap, every document ends with
exactly that many decisions, and a desktop killed with SIGKILL frees what it had claimed when its claims expire."""

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
from sqlalchemy.engine import make_url

from models import store
from models.config import CONFIG_NAME, ConfigFile, ProjectSection, load_config, save_config
from models.project import new_project, open_project
from models.store.claims import holders_of
from models.team import GOLD

pytestmark = [pytest.mark.slow, pytest.mark.backends]
CHILD = Path(__file__).resolve().parent / "claim_child.py"
REVIEWER_CHILD = Path(__file__).resolve().parent / "review_child.py"
STARTED: list[subprocess.Popen] = []


def end_children() -> None:
    while STARTED:
        kid = STARTED.pop()
        if kid.poll() is None:
            kid.kill()
            kid.wait()


@pytest.fixture(autouse=True)
def _end_children():
    """A failed test must not leave its annotator processes running."""
    yield
    end_children()


@pytest.fixture
def own_folders(backend):
    """own_folders(folder, names) -> each person's project folder. On PostgreSQL each person works through their
    own login (no superuser, so the server's row security applies to them) from a folder of their own naming it, as
    a team sets it up; on SQLite everyone opens the one folder (each desktop's settings name its person)."""
    made: list[tuple[str, str]] = []

    def make(folder: Path, names: list[str]) -> dict[str, Path]:
        if backend.server is None:
            return dict.fromkeys(names, folder)
        url = load_config(folder / CONFIG_NAME).project.database_url
        database = make_url(url).database
        out = {}
        for name in names:
            login = backend.server.create_login(name, database)
            made.append((name, database))
            out[name] = folder.parent / name
            out[name].mkdir()
            save_config(ConfigFile(project=ProjectSection(name="team", database_url=login)), out[name] / CONFIG_NAME)
        return out

    yield make
    end_children()  # their connections go before their logins do
    for name, database in made:
        backend.server.drop_login(name, database)


def make_team_project(folder: Path, docs: int, backend) -> Path:
    """A project of `docs` distinct texts of 60 four-character words (slot k is characters 5k..5k+4), its
    database on the test's backend."""
    texts = [
        " ".join(f"{chr(97 + (d + k) % 26)}{chr(97 + (d // 26) % 26)}{k:02d}" for k in range(60)) for d in range(docs)
    ]
    url = backend.database_url()
    with new_project(folder, LABELS, annotator="setup", database_url=url) as project, project.writing() as s:
        assert store.add_documents([store.NewDocument(text=t) for t in texts], session=s).added == docs
    return folder


def spawn(child: Path, out: Path, *args: object) -> subprocess.Popen:
    """A child process writing its JSON lines to `out`."""
    with open(out, "ab") as fh:
        kid = subprocess.Popen([sys.executable, str(child), *map(str, args)], stdout=fh, stderr=subprocess.PIPE)
    STARTED.append(kid)
    return kid


def start(folder: Path, name: str, overlap: int, minutes: float, out: Path, *more: str) -> subprocess.Popen:
    return spawn(CHILD, out, folder, name, "--overlap", overlap, "--minutes", minutes, *more)


def finish(kids: dict[str, subprocess.Popen], timeout: float) -> None:
    """Wait for every child; the first that fails (or one still running at the deadline) fails the test with
    its error output, instead of the others waiting for its claims to expire."""
    deadline = time.monotonic() + timeout
    running = dict(kids)
    while running:
        for name, kid in list(running.items()):
            if kid.poll() is None:
                continue
            err = kid.stderr.read()
            assert kid.returncode == 0, f"{name} failed:\n{err.decode()[-8000:]}"
            assert b"locked" not in err, err.decode()[-3000:]
            del running[name]
        assert time.monotonic() < deadline, f"still running: {sorted(running)}"
        time.sleep(0.05)


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().split("\n")[:-1] if x]


def decided(folder: Path) -> dict[int, list[str]]:
    with open_project(folder) as project, project.session() as s:
        out: dict[int, list[str]] = {}
        for doc in store.document_ids(session=s):
            out[doc] = holders_of(doc, session=s)
        return out


def test_six_annotators_overlap_two_never_more(tmp_path, backend):
    folder = make_team_project(tmp_path / "proj", docs=24, backend=backend)
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


def test_a_killed_desktops_claims_expire_and_others_finish_its_documents(tmp_path, backend):
    folder = make_team_project(tmp_path / "proj", docs=6, backend=backend)
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


def test_load_eight_annotators_every_document_done_by_exactly_two_one_killed_and_restarted(tmp_path, backend, cli):
    """8 real annotator processes, overlap 2, on 340 documents: each takes the next document the shared queue
    claims for it, adds one to four spans (a decision each) and accepts it, until nothing is left (about 300
    decisions each); one is SIGKILLed midway and started again. Afterwards every document was accepted by
    exactly two people, no document was ever claimed by a third, every acknowledged decision is stored, no
    annotation lost an update, nothing said "database is locked", and `tagdesk check` finds the log complete."""
    docs = 340
    folder = make_team_project(tmp_path / "proj", docs=docs, backend=backend)
    names = [f"ann{i}" for i in range(8)]
    outs = {n: tmp_path / f"{n}.jsonl" for n in names}
    kids = {n: start(folder, n, 2, 30.0, outs[n], "--spans") for n in names}
    victim = names[3]
    deadline = time.monotonic() + 300
    while len(lines(outs[victim])) < 120:
        assert time.monotonic() < deadline
        assert kids[victim].poll() is None, kids[victim].stderr.read().decode()[-3000:]
        time.sleep(0.02)
    os.kill(kids[victim].pid, signal.SIGKILL)
    kids[victim].wait()
    kids[victim] = start(folder, victim, 2, 30.0, outs[victim], "--spans", "--seed", "1")
    finish(kids, timeout=900)
    logged = {n: lines(outs[n]) for n in names}
    acks = {n: [e for e in logged[n] if "op" in e] for n in names}
    assert not any("refused" in e for n in names for e in logged[n])
    # every document accepted by exactly two people, and no document ever claimed by a third
    held = decided(folder)
    assert sorted(held) == list(range(1, docs + 1))
    assert {d: h for d, h in held.items() if len(h) != 2} == {}
    claimers: dict[int, set[str]] = {}
    for n in names:
        for e in logged[n]:
            if "claimed" in e:
                claimers.setdefault(e["claimed"], set()).add(n)
    assert {d: c for d, c in claimers.items() if len(c) > 2} == {}
    accepted = Counter(a["doc"] for n in names for a in acks[n] if a["op"] == "set_status")
    assert (
        set(accepted.values()) <= {1, 2} and sum(accepted.values()) >= 2 * docs - 1
    )  # the victim's last may be unacked
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
    made = {n: len(acks[n]) for n in names}
    # the work was shared out among all eight: each made a fair part of an even share (not a fixed count, which a
    # loaded machine that starves one process for a while would miss)
    assert all(m > sum(made.values()) / len(names) / 4 for m in made.values()), made
    assert 1800 < sum(made.values()) < 3200, made
    code, out, err = cli("check", folder)  # the event log rebuilds every annotation as stored
    assert code == 0, out + err


def test_three_annotators_and_a_reviewer_settle_a_corpus_whose_exports_use_the_gold(
    tmp_path, backend, cli, own_folders
):
    """Three annotator processes work 30 documents with overlap 2, adding whole-word spans at random (so they
    differ), except that on every fourth document they all choose the same spans and on the next one they agree on
    one span; one of them also tries to write a gold annotation, which an annotator may not. Meanwhile a reviewer
    process settles each document where they differ into its gold annotation (the window's review writes), leaving
    two out on purpose, until the annotators are done and nothing is left to review. Then: every document was done
    by exactly two annotators; each document they differ on has the gold the reviewer acknowledged; the exports
    write the gold, else what both chose, and leave out (and count) the two unreviewed conflicts; one annotator's
    export is their own; agreement reports the three pairs; `tagdesk check` rebuilds every annotation."""
    docs, team, reviewer, skip = 30, ["amy", "ben", "cat"], "rita", {3, 7}
    folder = make_team_project(tmp_path / "proj", docs=docs, backend=backend)
    code, _out, err = cli("team", folder, "--reviewer", reviewer, *(x for n in team for x in ("--add", n)))
    assert code == 0, err
    home = own_folders(folder, [*team, reviewer])
    outs = {n: tmp_path / f"{n}.jsonl" for n in (*team, reviewer)}
    go = tmp_path / "go"
    trespass = {"amy": ["--trespass"]}
    kids = {
        n: start(
            home[n], n, 2, 30.0, outs[n], "--spans", "--words", "--agree", "4", "--go", str(go), *trespass.get(n, [])
        )
        for n in team
    }
    deadline = time.monotonic() + 120
    while not all(outs[n].exists() and lines(outs[n]) for n in team):  # all three start together
        assert time.monotonic() < deadline and all(k.poll() is None for k in kids.values())
        time.sleep(0.02)
    go.touch()
    kids[reviewer] = spawn(REVIEWER_CHILD, outs[reviewer], home[reviewer], reviewer, "--skip", "3,7")
    finish(kids, timeout=300)
    logged = {n: lines(outs[n]) for n in outs}

    # every document done by exactly two annotators (the gold annotation is nobody's)
    people = {d: sorted(h) for d, h in decided(folder).items()}
    assert sorted(people) == list(range(1, docs + 1))
    assert {d: h for d, h in people.items() if len(h) != 2} == {}
    # the annotator who tried to write a gold annotation was refused, and nothing of it was written
    tried = [e for n in team for e in logged[n] if "tried" in e]
    assert len(tried) == 1 and "may change only their own annotations, not the gold" in tried[0]["refused"], tried

    spans, versions = stored_work(folder)

    def own(doc: int, who: str) -> list[tuple[int, int, str]]:
        return sorted(spans.get((doc, who), []))

    differ = {d for d, (a, b) in people.items() if own(d, a) != own(d, b)}
    assert differ.isdisjoint(range(4, docs + 1, 4)) and skip <= differ  # the planned agreements and conflicts
    gold = {e["doc"]: e for e in logged[reviewer] if e.get("op") == "gold"}
    assert sorted(gold) == sorted(differ - skip)  # each difference reviewed once, except the two left out
    assert {d for d, who in versions if who == GOLD} == set(gold)
    for d, e in gold.items():
        a, b = people[d]
        assert own(d, GOLD) == sorted(map(tuple, e["spans"])) and versions[(d, GOLD)] == e["version"], d
        assert set(own(d, a)) & set(own(d, b)) <= set(own(d, GOLD))  # what both chose is in the gold
        if d % 2 == 0:  # the reviewer took the first annotator's version
            assert own(d, GOLD) == own(d, a)
    assert any(d % 2 for d in gold) and any(d % 2 == 0 for d in gold)
    assert any(e.get("op") == "update_span" for e in logged[reviewer])  # the reviewer's own edits

    with open_project(folder) as project, project.session() as s:
        text = {d: store.get_document(d, session=s).text for d in people}
    expected = {
        text[d]: own(d, GOLD) if d in gold else own(d, people[d][0]) for d in people if d not in skip
    }  # the gold, else what both chose; the unreviewed conflicts left out
    code, out, err = cli("export", folder, "--format", "jsonl", "--out", tmp_path / "gold.jsonl")
    assert code == 0, err
    assert "left out: 2 documents where annotators differ and no reviewer decided" in out, out
    assert exported_jsonl(tmp_path / "gold.jsonl") == expected
    code, out, err = cli("export", folder, "--format", "spacy", "--out", tmp_path / "gold.spacy")
    assert code == 0, err
    assert "left out: 2 documents" in out, out
    assert exported_spacy(tmp_path / "gold.spacy") == expected
    code, out, err = cli("export", folder, "--format", "jsonl", "--annotator", "ben", "--out", tmp_path / "ben.jsonl")
    assert code == 0, err
    assert exported_jsonl(tmp_path / "ben.jsonl") == {text[d]: own(d, "ben") for d in people if "ben" in people[d]}

    code, out, err = cli("agreement", folder, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["annotators"] == team and data["documents"] == docs
    assert data["documents_differing"] == len(differ)
    assert {tuple(p["annotators"]): p["documents"] for p in data["pairs"]} == dict(
        Counter(tuple(h) for h in people.values())
    )
    assert len(data["pairs"]) == 3
    assert data["reviewed"]["documents"] == len(gold) and data["reviewed"]["reviewers"] == {reviewer: len(gold)}
    code, out, err = cli("check", folder)  # the event log rebuilds every annotation, the gold ones too
    assert code == 0, out + err


def exported_jsonl(path: Path) -> dict[str, list[tuple[int, int, str]]]:
    return {x["text"]: sorted((sp["start"], sp["end"], sp["label"]) for sp in x.get("spans", [])) for x in lines(path)}


def exported_spacy(path: Path) -> dict[str, list[tuple[int, int, str]]]:
    import spacy
    from spacy.tokens import DocBin

    vocab = spacy.blank("en").vocab
    return {
        doc.text: sorted((e.start_char, e.end_char, e.label_) for e in doc.ents)
        for doc in DocBin().from_disk(path).get_docs(vocab)
    }
