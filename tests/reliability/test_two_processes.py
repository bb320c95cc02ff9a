"""Two Tagdesk processes on one project at once: no lost update, no "database is locked", stale edits caught."""

from __future__ import annotations

import sqlite3
import time
from collections import defaultdict

import pytest
from reliability_helpers import ANNOTATOR, check_project, decisions, make_child_project, read_acks, start_child

from models import store
from models.db import engine as engine_mod
from models.errors import DatabaseError, StaleAnnotationError
from models.project import open_project

pytestmark = pytest.mark.slow


def wait_for(path, needle: bytes, child, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while needle not in path.read_bytes():
        assert child.poll() is None, child.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline, "child never got ready"
        time.sleep(0.01)


def finish(child, timeout: float = 120.0) -> None:
    _, err = child.communicate(timeout=timeout)
    assert child.returncode == 0, err.decode()[-3000:]
    assert b"locked" not in err


@pytest.mark.backends
def test_two_writers_on_the_same_documents_lose_nothing(tmp_path, backend):
    folder = make_child_project(tmp_path / "proj", docs=3, database_url=backend.database_url())
    go = tmp_path / "go"
    outs = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    kids = [
        start_child(folder, seed, 150, out, "--docs", "3", "--slots", f"2:{seed}", "--go-file", str(go))
        for seed, out in enumerate(outs)
    ]
    for kid, out in zip(kids, outs, strict=True):
        wait_for(out, b'"ready"', kid)
    go.touch()
    for kid in kids:
        finish(kid)
    acks = [read_acks(out) for out in outs]
    everything = acks[0] + acks[1]
    log = check_project(folder, everything)  # every acknowledged decision stored, state == event log
    made = decisions(everything)
    assert log.events == len(made)  # nothing stored that was not acknowledged (no kill here)
    # No lost update: each version of a document was written by exactly one acknowledged decision.
    versions = defaultdict(list)
    for who, batch in enumerate(acks):
        for a in decisions(batch):
            versions[a["doc"]].append((a["version"], who))
    for doc, vs in versions.items():
        assert sorted(v for v, _ in vs) == list(range(1, len(vs) + 1)), f"document {doc}: a version was lost"
    # The two really raced: on some document, the writers took turns.
    turns = sum(a != b for vs in versions.values() for (_, a), (_, b) in zip(sorted(vs), sorted(vs)[1:], strict=False))
    assert turns > 0
    # Each process's spans are exactly what its own acknowledged decisions leave (slots are disjoint, so a span
    # is named by its document and start; replay each process on its own).
    expected = set()
    for batch in acks:
        own = {}
        for a in decisions(batch):
            if a["op"] in ("add_span", "update_span"):
                own[(a["doc"], a["start"])] = (a["doc"], a["start"], a["end"], a["label"])
            elif a["op"] == "remove_span":
                del own[(a["doc"], a["start"])]
            elif a["op"] == "set_status":  # an accept adds the suggestions it took, its undo removes them
                for start, end, label in a.get("added", []):
                    own[(a["doc"], start)] = (a["doc"], start, end, label)
                for start, _end, _label in a.get("removed", []):
                    del own[(a["doc"], start)]
        assert not set(own.values()) & expected
        expected |= set(own.values())
    assert log.spans == expected
    # accepts with suggestions ran, and their undo (racing writers leave few chances to undo, so it may have had
    # no spans to take away)
    assert any(a.get("added") for a in made) and any("removed" in a for a in made)
    stale = [a for a in everything if a["op"] == "stale"]
    for a in stale:  # a process told that the other one changed the document, never a silent overwrite
        assert "changed elsewhere" in a["message"] and "reload" in a["message"]


@pytest.mark.backends
def test_stale_edit_after_another_process_changed_the_document_is_refused(tmp_path, backend):
    folder = make_child_project(tmp_path / "proj", docs=1, database_url=backend.database_url())
    with open_project(folder) as window:
        with window.writing() as s:
            mine = store.add_span(1, 0, 4, "PERSON", session=s, annotator=ANNOTATOR).span
        with window.session() as s:
            seen = store.get_annotation(1, session=s, annotator=ANNOTATOR).version  # what this window shows
        other = start_child(folder, 7, 5, tmp_path / "other.jsonl", "--docs", "1", "--slots", "2:1")
        finish(other)
        with pytest.raises(StaleAnnotationError) as err:
            with window.writing() as s:
                store.update_span(mine.id, session=s, annotator=ANNOTATOR, label="ORG", expected_version=seen)
        assert "changed elsewhere" in str(err.value) and "reload" in str(err.value)
        with window.session() as s:
            ann = store.get_annotation(1, session=s, annotator=ANNOTATOR)
            spans = {sp.id: sp.label for sp in store.spans_of(1, session=s, annotator=ANNOTATOR)}
        assert ann.version == seen + 5  # the other process's five decisions, not overwritten
        assert spans[mine.id] == "PERSON"  # the stale edit changed nothing
        with window.writing() as s:  # after reloading, the same edit goes through
            store.update_span(mine.id, session=s, annotator=ANNOTATOR, label="ORG", expected_version=ann.version)
    check_project(folder, read_acks(tmp_path / "other.jsonl"))


def test_a_writer_waits_for_another_process_holding_the_lock(tmp_path):
    folder = make_child_project(tmp_path / "proj", docs=2)
    go = tmp_path / "go"
    out = tmp_path / "acks.jsonl"
    kid = start_child(folder, 3, 20, out, "--docs", "2", "--go-file", str(go), "--say-waiting")
    wait_for(out, b'"ready"', kid)
    holder = sqlite3.connect(folder / "tagdesk.sqlite", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holding the write lock
    go.touch()
    wait_for(out, b'"waiting"', kid)  # the child is asking for the lock now ...
    time.sleep(1.0)
    acks = read_acks(out)
    assert kid.poll() is None and acks[-1]["op"] == "waiting"  # ... and is blocked there, not failing
    assert len(decisions(acks)) == 0
    holder.execute("COMMIT")
    holder.close()
    finish(kid)
    assert len(decisions(read_acks(out))) == 20
    check_project(folder, read_acks(out))


def test_lock_held_too_long_is_a_clear_error_and_nothing_is_half_written(tmp_path, monkeypatch):
    folder = make_child_project(tmp_path / "proj", docs=1)
    monkeypatch.setattr(engine_mod, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(folder / "tagdesk.sqlite", isolation_level=None)
    with open_project(folder) as project:
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(DatabaseError, match="held the project's write lock.*NOT saved"):
                with project.writing() as s:
                    store.add_span(1, 0, 4, "PERSON", session=s, annotator=ANNOTATOR)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        with project.session() as s:
            assert store.spans_of(1, session=s, annotator=ANNOTATOR) == []
        with project.writing() as s:  # once the other program is done, the same decision works
            store.add_span(1, 0, 4, "PERSON", session=s, annotator=ANNOTATOR)
    check_project(folder, [])
