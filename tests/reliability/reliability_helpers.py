"""Shared by the reliability tests: a project for child processes, running them, and checking what they left."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import select

from models import store
from models.db.tables import Annotation, Document, Event, Span
from models.project import new_project, open_project
from tests.dbtools import integrity_problems

HERE = Path(__file__).resolve().parent
CHILD = HERE / "reliability_child.py"
ANNOTATOR = "ann"
LABELS = ["PERSON", "ORG", "GPE"]
SLOTS = 60


def slot_text(doc: int) -> str:
    """A test document: SLOTS words of 4 characters, so slot k is characters 5k..5k+4."""
    return " ".join(f"{chr(97 + doc % 26)}{k:03d}" for k in range(SLOTS))


def make_child_project(folder: Path, docs: int = 4, database_url: str | None = None) -> Path:
    """A project with `docs` slot texts (document ids 1..docs), closed again: children open it themselves.
    `database_url`: where its database is (default: tagdesk.sqlite in the folder)."""
    with new_project(folder, LABELS, annotator=ANNOTATOR, database_url=database_url) as project, project.writing() as s:
        store.add_documents([store.NewDocument(text=slot_text(i)) for i in range(docs)], session=s)
    return folder


def start_child(folder: Path, seed: int, count: int, out: Path, *args: str) -> subprocess.Popen:
    """Start reliability_child.py; its stdout (the acknowledgements) goes to `out`, stderr is piped."""
    with open(out, "wb") as fh:
        return subprocess.Popen(
            [sys.executable, str(CHILD), str(folder), str(seed), str(count), *args], stdout=fh, stderr=subprocess.PIPE
        )


def read_acks(path: Path) -> list[dict]:
    """The acknowledged decisions: complete lines only (a line is written and flushed in one call)."""
    data = path.read_text(encoding="utf-8")
    lines = data.split("\n")
    return [json.loads(line) for line in lines[:-1] if line]


@dataclass
class Replayed:
    """The project's state rebuilt from its event log alone."""

    spans: dict[int, tuple[int, int, int, str]] = field(default_factory=dict)
    status: dict[int, str] = field(default_factory=dict)
    version: Counter = field(default_factory=Counter)
    keys: dict[tuple[int, int], dict] = field(default_factory=dict)  # (doc, version) -> event payload + action
    events: int = 0


def replay_events(session) -> Replayed:
    out = Replayed()
    for ev in session.exec(select(Event).where(Event.annotator == ANNOTATOR).order_by(Event.id)).all():
        p = ev.payload
        if ev.action == "import" or ev.document_id is None:
            continue  # project-level events (labels, settings) change no annotation
        out.events += 1
        key = (ev.document_id, p["version"])
        assert key not in out.keys, f"two decisions claim version {p['version']} of document {ev.document_id}"
        out.keys[key] = {**p, "action": ev.action}
        out.version[ev.document_id] += 1
        if ev.action == "add_span":
            out.spans[p["span_id"]] = (ev.document_id, p["start"], p["end"], p["label"])
        elif ev.action == "remove_span":
            del out.spans[p["span_id"]]
        elif ev.action == "update_span":
            a = p["after"]
            out.spans[p["span_id"]] = (ev.document_id, a["start"], a["end"], a["label"])
        elif ev.action == "set_status":
            out.status[ev.document_id] = p["status"]
    return out


def check_project(folder: Path, acks: list[dict]) -> Replayed:
    """Open the project as a user would, and check: integrity ok, the stored state is exactly what its event log
    says, and every acknowledged decision is in the log with what was acknowledged. Returns the replay."""
    with open_project(folder) as project:
        assert integrity_problems(project) == []
        with project.session() as s:
            log = replay_events(s)
            rows = s.exec(
                select(Span, Annotation.document_id)
                .join(Annotation, Annotation.id == Span.annotation_id)
                .where(Annotation.annotator == ANNOTATOR)
            ).all()
            stored = {sp.id: (doc, sp.start, sp.end, sp.label) for sp, doc in rows}
            anns = s.exec(select(Annotation).where(Annotation.annotator == ANNOTATOR)).all()
            sources = Counter(s.exec(select(Document.source)).all())
    assert stored == log.spans, "the spans stored differ from what the event log says was done"
    for ann in anns:
        assert ann.version == log.version[ann.document_id], f"document {ann.document_id}: version vs event log"
        assert ann.status == log.status.get(ann.document_id, "pending")
    for a in acks:
        if a["op"] in ("ready", "stale", "unsaved"):
            continue
        if a["op"] == "import":
            assert sources[a["source"]] == a["added"] == 50, f"acknowledged import {a['source']} is not all there"
            continue
        ev = log.keys.get((a["doc"], a["version"]))
        assert ev is not None, f"acknowledged decision lost: {a}"
        assert ev["action"] == a["op"], (ev, a)
        if a["op"] == "add_span":
            assert (ev["span_id"], ev["start"], ev["end"], ev["label"]) == (a["span"], a["start"], a["end"], a["label"])
        elif a["op"] == "update_span":
            assert ev["after"] == {"start": a["start"], "end": a["end"], "label": a["label"]}
        elif a["op"] == "set_status":
            assert ev["status"] == a["status"]
    for source, n in sources.items():
        assert n in (0, 50) or not source.startswith("batch-"), f"import {source} is half there ({n} of 50)"
    return log


def decisions(acks: list[dict]) -> list[dict]:
    return [a for a in acks if a["op"] not in ("ready", "stale", "import", "unsaved")]
