"""Documents: adding them (imports, in one transaction), reading them, their place in project order."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, insert, update
from sqlmodel import Session, col, select

from ..db.dialect import bulk_insert, index_for_search, lock_event_log, lock_imports, reserve_ids
from ..db.tables import Annotation, Document, Event, Origin, Span, Status, utcnow
from ..errors import TagdeskError
from .members import check_write
from .transactions import _IN_CHUNK


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
    annotated: int = 0  # annotations stored (of new documents and of documents already here)
    joined: int = 0  # of those, annotations added to a document already here (another annotator's)
    duplicate_lines: list[int] = field(default_factory=list)
    # Annotations stored on texts already in the project (`joined` of them onto documents stored before).
    attached: int = 0
    # Annotations not stored: (line, why), for texts whose annotator has an annotation of them already.
    not_attached: list[tuple[int | None, str]] = field(default_factory=list)
    # Texts repeated within the input: (line, line of the first occurrence); the repeat is not stored again.
    repeated: list[tuple[int | None, int | None]] = field(default_factory=list)


def add_documents(
    docs: Sequence[NewDocument],
    *,
    session: Session,
    source: str = "",
    annotator: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> AddResult:
    """Store new documents (and any spans/status they carry) in ONE transaction; commit.

    Texts already in the project (or earlier in `docs`) are not stored again (a document never changes after
    import); an annotation such a text carries is added when its annotator has none of that document yet (several
    annotators' work on one text), else the text is counted as a duplicate. `annotator` owns carried
    annotations when a document names none. Raises before writing anything if a carried span is out of range.
    `on_progress(done, total)` is called as rows are written.
    """
    result = AddResult()
    total = len(docs)
    conn = session.connection()
    lock_imports(conn)  # PostgreSQL: one import at a time, so positions and duplicate checks stay exact
    for owner in sorted({d.annotator or annotator or "" for d in docs if d.spans is not None or d.status}):
        check_write(owner, session=session)  # importing others' annotations is a reviewer's action in a team
    hashes = [text_hash(d.text) for d in docs]
    existing: dict[str, int] = {}
    for i in range(0, len(hashes), _IN_CHUNK):
        chunk = hashes[i : i + _IN_CHUNK]
        existing.update(
            session.exec(select(Document.text_hash, Document.id).where(col(Document.text_hash).in_(chunk))).all()
        )
    position = session.exec(select(func.coalesce(func.max(Document.position), -1))).one() + 1
    fresh: list[tuple[NewDocument, str]] = []
    seen: dict[str, int] = {}  # hash -> id given to its first occurrence in `docs`
    first_line: dict[int, int | None] = {}  # document id -> line of its text's first occurrence in `docs`
    again: list[tuple[int, NewDocument]] = []  # texts stored already that carry an annotation
    # ids for the new texts, before the loop names them (a sequence on PostgreSQL, max(id) + 1 on SQLite)
    ids = reserve_ids(conn, Document.__table__, len({h for h in hashes if h not in existing}))
    for doc, h in zip(docs, hashes, strict=True):
        known = existing.get(h, seen.get(h))
        if known is not None:
            if known in first_line and not (doc.spans is not None or doc.status):
                result.repeated.append((doc.line, first_line[known]))
            first_line.setdefault(known, doc.line)
            if doc.spans is not None or doc.status:
                again.append((known, doc))
            else:
                _duplicate(result, doc)
            continue
        seen[h] = ids[len(fresh)]
        first_line[seen[h]] = doc.line
        fresh.append((doc, h))
    rows = [
        {
            "id": ids[i],
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
    for i in range(0, len(rows), step):
        chunk = rows[i : i + step]
        bulk_insert(conn, Document.__table__, chunk)
        index_for_search(conn, ((row["id"], row["text"]) for row in chunk))
        if on_progress:
            on_progress(min(i + step, len(rows)), total)
    annotated = [(ids[i], d) for i, (d, _h) in enumerate(fresh) if d.spans is not None or d.status]
    joined = _new_annotators(
        again, conn=conn, default_annotator=annotator, result=result, taken=annotated, first_line=first_line
    )
    result.attached = len(joined)
    if annotated or joined:
        result.annotated = _add_imported_annotations(annotated + joined, conn=conn, default_annotator=annotator)
        result.joined = len(joined)
    result.added = len(rows)
    if rows or result.joined:
        lock_event_log(conn)
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


def _duplicate(result: AddResult, doc: NewDocument) -> None:
    result.duplicates += 1
    if doc.line is not None:
        result.duplicate_lines.append(doc.line)


def _new_annotators(
    items: list[tuple[int, NewDocument]],
    *,
    conn,
    default_annotator: str | None,
    result: AddResult,
    taken: list[tuple[int, NewDocument]],
    first_line: dict[int, int | None],
) -> list[tuple[int, NewDocument]]:
    """Of annotations carried by texts stored already, those whose annotator has none of that document (in the
    project or earlier in this import); the others are counted as duplicates, with why (`result.not_attached`,
    or `result.repeated` for a repeat within this import). A document without tokens of its own gets the ones
    the file brought."""
    if not items:
        return []

    def who(d: NewDocument) -> str:
        return d.annotator or default_annotator or ""

    have = {(doc_id, who(d)) for doc_id, d in taken}
    ids = sorted({doc_id for doc_id, _d in items})
    for i in range(0, len(ids), _IN_CHUNK):
        have.update(
            conn.execute(
                select(Annotation.document_id, Annotation.annotator).where(
                    col(Annotation.document_id).in_(ids[i : i + _IN_CHUNK])
                )
            ).all()
        )
    here_before = {doc_id for doc_id, _d in taken}
    out = []
    for doc_id, d in items:
        if (doc_id, who(d)) in have:
            _duplicate(result, d)
            if doc_id in here_before or (doc_id, who(d)) in {(i, who(x)) for i, x in out}:
                result.repeated.append((d.line, first_line.get(doc_id)))
            else:
                name = who(d) or "the annotator"
                result.not_attached.append((d.line, f"{name} already has an annotation of this text; kept"))
            continue
        have.add((doc_id, who(d)))
        out.append((doc_id, d))
        if d.tokens is not None:
            conn.execute(_SET_TOKENS, {"doc": doc_id, "blob": d.tokens})
    return out


_SET_TOKENS = (
    update(Document)
    .where(col(Document.id) == bindparam("doc"), col(Document.tokens).is_(None))
    .values(tokens=bindparam("blob"))
)


def _add_imported_annotations(items: list[tuple[int, NewDocument]], *, conn, default_annotator: str | None) -> int:
    ann_ids = reserve_ids(conn, Annotation.__table__, len(items))
    ann_rows, span_rows = [], []
    # rows go to the driver as they are (_bulk_insert): the timestamp is bound the way its column type binds it
    bind = Annotation.__table__.c.updated_at.type.bind_processor(conn.dialect)  # type: ignore[attr-defined]
    now = bind(utcnow()) if bind else utcnow()
    imported, pending = Origin.imported.value, Status.pending.value  # (an enum's .value is slow in a loop)
    for k, (doc_id, d) in enumerate(items):
        ann_id = ann_ids[k]
        for value in (d.annotator, d.status):
            if value and "\x00" in value:
                where = f"line {d.line}: " if d.line is not None else ""
                raise TagdeskError(f"{where}{value!r} has a NUL character; no text field may hold one")
        ann_rows.append(
            {
                "id": ann_id,
                "document_id": doc_id,
                "annotator": d.annotator or default_annotator or "",
                "status": d.status or pending,
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
                    "origin": imported,
                    "score": None,
                }
            )
    bulk_insert(conn, Annotation.__table__, ann_rows)
    bulk_insert(conn, Span.__table__, span_rows)
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
    if "\x00" in label:  # PostgreSQL cannot store it, so neither backend takes it
        raise TagdeskError(f"span {start}-{end}: the label {label!r} has a NUL character")


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
