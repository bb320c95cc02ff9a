"""Documents: adding them (imports, in one transaction), reading them, their place in project order."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, insert
from sqlmodel import Session, col, select

from ..db.tables import Annotation, Document, Event, Origin, Span, Status, utcnow
from ..errors import TagdeskError
from .transactions import _IN_CHUNK, _bulk_insert


def text_hash(text: str) -> str:
    """A document's identity: SHA-256 of its UTF-8 text (hex)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class NewDocument:
    """A document to store, as read from a file. `line` is where it came from (1-based), for messages."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    line: int | None = None
    # Optional annotation carried by richer formats (origin "import").
    spans: list[tuple[int, int, str]] | None = None
    status: str | None = None
    annotator: str | None = None
    # The file's own token boundaries, packed (models.tokens.pack); None: the project's tokenizer is used.
    tokens: bytes | None = None


@dataclass
class AddResult:
    added: int = 0
    duplicates: int = 0  # already in the project, or repeated within the input
    annotated: int = 0  # documents whose annotation was stored
    duplicate_lines: list[int] = field(default_factory=list)


def add_documents(
    docs: Sequence[NewDocument],
    *,
    session: Session,
    source: str = "",
    annotator: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> AddResult:
    """Store new documents (and any spans/status they carry) in ONE transaction; commit.

    Texts already in the project are skipped and counted as duplicates (a document never changes after import).
    `annotator` owns carried annotations when a document names none. Raises before writing anything if a
    carried span is out of range. `on_progress(done, total)` is called as rows are written.
    """
    result = AddResult()
    total = len(docs)
    hashes = [text_hash(d.text) for d in docs]
    existing: set[str] = set()
    for i in range(0, len(hashes), 900):
        chunk = hashes[i : i + 900]
        existing.update(session.exec(select(Document.text_hash).where(col(Document.text_hash).in_(chunk))).all())
    fresh: list[tuple[NewDocument, str]] = []
    seen: set[str] = set()
    for doc, h in zip(docs, hashes, strict=True):
        if h in existing or h in seen:
            result.duplicates += 1
            if doc.line is not None:
                result.duplicate_lines.append(doc.line)
            continue
        seen.add(h)
        fresh.append((doc, h))
    position = session.exec(select(func.coalesce(func.max(Document.position), -1))).one() + 1
    first_id = session.exec(select(func.coalesce(func.max(Document.id), 0))).one() + 1
    rows = [
        {
            "id": first_id + i,
            "text": d.text,
            "text_hash": h,
            "meta": json.dumps(d.meta, ensure_ascii=False),
            "source": source,
            "position": position + i,
            "tokens": d.tokens,
        }
        for i, (d, h) in enumerate(fresh)
    ]
    step = 5000
    conn = session.connection()
    for i in range(0, len(rows), step):
        _bulk_insert(conn, Document, rows[i : i + step])
        if on_progress:
            on_progress(min(i + step, len(rows)), total)
    annotated = [(first_id + i, d) for i, (d, _h) in enumerate(fresh) if d.spans is not None or d.status]
    if annotated:
        result.annotated = _add_imported_annotations(annotated, conn=conn, default_annotator=annotator)
    result.added = len(rows)
    if rows:
        conn.execute(
            insert(Event),
            [
                {
                    "at": utcnow(),
                    "annotator": annotator or "",
                    "document_id": None,
                    "action": "import",
                    "payload": {"source": source, "added": len(rows), "duplicates": result.duplicates},
                }
            ],
        )
    session.commit()
    if on_progress:
        on_progress(total, total)
    return result


def _add_imported_annotations(items: list[tuple[int, NewDocument]], *, conn, default_annotator: str | None) -> int:
    first = conn.execute(select(func.coalesce(func.max(Annotation.id), 0))).scalar_one() + 1
    ann_rows, span_rows = [], []
    now = utcnow()
    for k, (doc_id, d) in enumerate(items):
        ann_id = first + k
        ann_rows.append(
            {
                "id": ann_id,
                "document_id": doc_id,
                "annotator": d.annotator or default_annotator or "",
                "status": d.status or Status.pending.value,
                "seconds_spent": 0.0,
                "updated_at": now,
                "version": 1,
            }
        )
        for start, end, label in d.spans or ():
            check_span(d.text, start, end, label)
            span_rows.append(
                {
                    "annotation_id": ann_id,
                    "start": start,
                    "end": end,
                    "label": label,
                    "origin": Origin.imported.value,
                    "score": None,
                }
            )
    conn.execute(insert(Annotation), ann_rows)
    if span_rows:
        conn.execute(insert(Span), span_rows)
    return len(ann_rows)


def check_span(text: str | int, start: int, end: int, label: str) -> None:
    """Refuse a span that is not inside `text` (or a text of that length), is empty, or has no label."""
    length = text if isinstance(text, int) else len(text)
    if not (isinstance(start, int) and isinstance(end, int)):
        raise TagdeskError(f"span offsets must be integers, got {start!r}, {end!r}")
    if not 0 <= start < end <= length:
        raise TagdeskError(f"span {start}-{end} ({label}) is outside the text (0-{length}) or empty")
    if not label:
        raise TagdeskError(f"span {start}-{end} has an empty label")


def document_count(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(Document)).one()


def text_length(document_id: int, *, session: Session) -> int:
    """A document's length in code points, without loading its text (decisions check spans against it)."""
    length = session.connection().execute(_TEXT_LENGTH, {"doc": document_id}).scalar()
    if length is None:
        raise TagdeskError(f"document {document_id} is not in this project")
    return length


_TEXT_LENGTH = select(func.length(Document.text)).where(Document.id == bindparam("doc"))


def get_document(document_id: int, *, session: Session) -> Document:
    doc = session.get(Document, document_id)
    if doc is None:
        raise TagdeskError(f"document {document_id} is not in this project")
    return doc


def document_index(document_id: int, *, session: Session) -> tuple[int, int]:
    """(1-based place of a document in project order, number of documents)."""
    position = session.exec(select(Document.position).where(Document.id == document_id)).first()
    if position is None:
        raise TagdeskError(f"document {document_id} is not in this project")
    place = session.exec(select(func.count()).select_from(Document).where(Document.position <= position)).one()
    return place, document_count(session=session)


def document_tokens(document_id: int, *, session: Session) -> bytes | None:
    """A document's own tokens as stored at import (`models.tokens.pack`), or None when it has none."""
    return session.connection().execute(_TOKENS, {"doc": document_id}).scalar()


_TOKENS = select(Document.tokens).where(Document.id == bindparam("doc"))


def document_ids(*, session: Session) -> list[int]:
    """Every document id in project order (ints only: cheap even for 100,000 documents)."""
    return list(session.exec(select(Document.id).order_by(Document.position)).all())


def document_texts(ids: Sequence[int], *, session: Session) -> dict[int, str]:
    """{id: text} for the given document ids (missing ids are absent)."""
    out: dict[int, str] = {}
    for i in range(0, len(ids), _IN_CHUNK):
        chunk = list(ids[i : i + _IN_CHUNK])
        out.update(session.exec(select(Document.id, Document.text).where(col(Document.id).in_(chunk))).all())
    return out
