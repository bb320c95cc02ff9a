"""Helpers for the suggestion tests: a tiny spaCy pipeline folder whose "model" entities are exact, and projects
configured to use it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlmodel import select

from models.db.tables import Document
from models.project import Project
from models.store import NewDocument, add_documents, suggestions_for

# What the test pipeline's "model" finds (an entity_ruler saved in a pipeline folder: exact, no training).
MODEL_PATTERNS = [
    {"label": "PERSON", "pattern": "Ada Lovelace"},
    {"label": "ORG", "pattern": "Acme Corp"},
    {"label": "LOC", "pattern": "Paris"},  # folded into GPE by the default label map
    {"label": "DATE", "pattern": "Monday"},  # dropped by the default label map
    {"label": "ANIMAL", "pattern": "Rex"},  # not a project label, not mapped: dropped
]


def save_pipeline(folder: Path, *, components=("entity_ruler",), patterns=MODEL_PATTERNS) -> Path:
    """A blank English pipeline with the given components, written like `spacy train` writes one."""
    import spacy

    nlp = spacy.blank("en")
    for name in components:
        pipe = nlp.add_pipe(name)
        if name == "entity_ruler":
            pipe.add_patterns(list(patterns))
    nlp.to_disk(folder)
    return folder


def write_patterns(path: Path, lines: list) -> Path:
    """A JSONL patterns file; dicts are dumped, strings written as they are (for bad lines)."""
    path.write_text("".join((ln if isinstance(ln, str) else json.dumps(ln)) + "\n" for ln in lines), encoding="utf-8")
    return path


def configure(
    project: Project,
    *,
    pipeline: str | None = None,
    patterns: list[str] | None = None,
    label_map: dict[str, str] | None = None,
) -> Project:
    """Change the project's shared suggester settings (stored in its database, as `tagdesk settings` does)."""
    from models import settings

    if pipeline is not None:
        settings.set_pipeline(project, pipeline)
    if patterns is not None:
        settings.set_patterns(project, patterns)
    if label_map is not None:
        settings.set_label_map(project, label_map)
    return project


def add_texts(project: Project, texts: list[str]) -> list[int]:
    """Store texts as documents; their ids in the same order."""
    with project.writing() as session:
        add_documents([NewDocument(text=t) for t in texts], session=session)
    with project.session() as session:
        ids = dict(session.exec(select(Document.text, Document.id)).all())
    return [ids[t] for t in texts]


def stored(project: Project, key: str, doc_id: int):
    with project.session() as session:
        return suggestions_for(doc_id, key, session=session)


FILLER = "The committee discussed the budget for the coming year at length. "
NAMES = "Ada Lovelace met the board of Acme Corp in Paris. "


def long_text(size: int = 3_000_000) -> str:
    """One paragraph of `size` characters, a sentence naming Ada Lovelace, Acme Corp and Paris every ~20 KB."""
    block = FILLER * 300 + NAMES
    return (block * (size // len(block) + 1))[:size]


def positions(text: str, name: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(re.escape(name), text)]
