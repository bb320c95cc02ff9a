"""Shared by the reliability tests: a project for child processes, running them, and checking what they left."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import select

from models import check, store
from models.db.tables import Annotation, Document, Event, Span
from models.project import new_project, open_project

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
    """Start reliability_child.py; its stdout (the acknowledgements) goes to `out`, stdin and stderr are piped."""
    with open(out, "wb") as fh:
        return subprocess.Popen(
            [sys.executable, str(CHILD), str(folder), str(seed), str(count), *args],
            stdin=subprocess.PIPE,  # a child told to --hold waits on it
            stdout=fh,
            stderr=subprocess.PIPE,
        )


def read_acks(path: Path) -> list[dict]:
    """The acknowledged decisions: complete lines only (a line is written and flushed in one call)."""
    data = path.read_text(encoding="utf-8")
    lines = data.split("\n")
    return [json.loads(line) for line in lines[:-1] if line]


@dataclass
class Logged:
    """What the event log holds after a run, once `tagdesk check`'s replay has proved it rebuilds the tables."""

    keys: dict[tuple[int, int], dict] = field(default_factory=dict)  # (doc, version) -> payload + action
    spans: set[tuple[int, int, int, str]] = field(default_factory=set)  # (doc, start, end, label) stored
    events: int = 0  # decision events (not imports)


def check_project(folder: Path, acks: list[dict]) -> Logged:
    """Open the project as a user would, and check: `tagdesk check` passes (integrity ok, replaying the event log
    from empty rebuilds exactly what is stored), and every acknowledged decision is in the log with what was
    acknowledged. Returns what the log holds."""
    out = Logged()
    with open_project(folder) as project:
        report = check.check_project(project)
        assert report.ok, report.summary()
        with project.session() as s:
            for ev in s.exec(select(Event).where(Event.annotator == ANNOTATOR).order_by(Event.id)).all():
                if ev.document_id is None or ev.action == "import":
                    continue
                out.events += 1
                key = (ev.document_id, ev.payload["version"])
                assert key not in out.keys, f"two decisions claim version {key[1]} of document {key[0]}"
                out.keys[key] = {**ev.payload, "action": ev.action}
            rows = s.exec(
                select(Span, Annotation.document_id)
                .join(Annotation, Annotation.id == Span.annotation_id)
                .where(Annotation.annotator == ANNOTATOR)
            ).all()
            out.spans = {(doc, sp.start, sp.end, sp.label) for sp, doc in rows}
            sources = Counter(s.exec(select(Document.source)).all())
    for a in acks:
        if a["op"] in NOT_DECISIONS and a["op"] != "import":
            continue
        if a["op"] == "import":
            assert sources[a["source"]] == a["added"] == 50, f"acknowledged import {a['source']} is not all there"
            continue
        ev = out.keys.get((a["doc"], a["version"]))
        assert ev is not None, f"acknowledged decision lost: {a}"
        assert ev["action"] == a["op"], (ev, a)
        if a["op"] == "add_span":
            assert ev["span"][:3] == [a["start"], a["end"], a["label"]], (ev, a)
        elif a["op"] == "update_span":
            assert ev["after"][:3] == [a["start"], a["end"], a["label"]], (ev, a)
        elif a["op"] == "set_status":
            assert ev["status"] == a["status"], (ev, a)
            assert [sp[:3] for sp in ev["added"]] == a.get("added", []), (ev, a)
            assert [sp[:3] for sp in ev["removed"]] == a.get("removed", []), (ev, a)
    for source, n in sources.items():
        assert n in (0, 50) or not source.startswith("batch-"), f"import {source} is half there ({n} of 50)"
    return out


NOT_DECISIONS = ("ready", "stale", "import", "unsaved", "opening", "committing", "committed", "waiting")


def decisions(acks: list[dict]) -> list[dict]:
    return [a for a in acks if a["op"] not in NOT_DECISIONS]
