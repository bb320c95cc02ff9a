"""Reading annotated documents in bulk for export: SQLAlchemy Core, batched, in project order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select, tuple_
from sqlmodel import Session

from ..db.tables import ANNOTATION, DOCUMENT, SPAN, Status
from .imports import published
from .notes import notes_for
from .transactions import _IN_CHUNK


@dataclass
class AnnotatedDocument:
    """A document with one annotator's decision and spans, as exported."""

    id: int
    text: str
    meta: dict[str, Any]
    status: str
    spans: list[tuple[int, int, str]]
    tokens: bytes | None = None  # the document's own tokens (models.tokens), None: tokenize the text


def _export_query(*, annotator: str, statuses: Sequence[str]) -> Select[Any]:
    ann = (
        select(ANNOTATION.c.document_id, ANNOTATION.c.status, ANNOTATION.c.id)
        .where(ANNOTATION.c.annotator == annotator)
        .subquery()
    )
    status = func.coalesce(ann.c.status, Status.pending.value)
    return (
        select(DOCUMENT.c.id, DOCUMENT.c.text, DOCUMENT.c.meta, status, ann.c.id, DOCUMENT.c.tokens)
        .outerjoin(ann, ann.c.document_id == DOCUMENT.c.id)
        .where(status.in_(list(statuses)), published())
    )


def export_document_ids(*, session: Session, annotator: str | None, statuses: Sequence[str]) -> list[int]:
    """Ids of the documents whose status (for `annotator`; undecided = pending) is in `statuses`, in project order.
    `annotator` None: the team's status (gold, else what the annotators agree on; `models/store/resolved.py`)."""
    if annotator is None:
        from .resolved import resolved_document_ids

        return resolved_document_ids(session=session, statuses=statuses)
    stmt = _export_query(annotator=annotator, statuses=statuses).order_by(DOCUMENT.c.position, DOCUMENT.c.id)
    return [int(row[0]) for row in session.connection().execute(stmt)]


def export_plan(
    *, session: Session, annotator: str | None, statuses: Sequence[str]
) -> tuple[list[tuple[int, str]], int]:
    """(id, text hash) of the documents `export_document_ids` gives, in the same order, and how many documents the
    team export leaves out because their annotators differ unreviewed (0 for one annotator's export). One pass."""
    if annotator is None:
        from .resolved import CONFLICT, resolved_statuses

        wanted, plan, conflicts = set(statuses), [], 0
        for doc_id, h, status in resolved_statuses(session=session):
            if status in wanted:
                plan.append((doc_id, h))
            conflicts += status == CONFLICT
        return plan, conflicts
    stmt = (
        _export_query(annotator=annotator, statuses=statuses)
        .with_only_columns(DOCUMENT.c.id, DOCUMENT.c.text_hash, maintain_column_froms=True)
        .order_by(DOCUMENT.c.position, DOCUMENT.c.id)
    )
    return [(int(doc_id), str(h)) for doc_id, h in session.connection().execute(stmt)], 0


def iter_annotated_documents(
    *, session: Session, annotator: str | None, statuses: Sequence[str], batch: int = 2000
) -> Iterator[AnnotatedDocument]:
    """Documents whose status for `annotator` is in `statuses`, with that annotator's spans sorted by offset,
    in project order. Reads `batch` documents per query, their spans and notes in chunks of at most 900 ids. The
    annotator's note on a document is added to its meta as "comment" and "flag". `annotator` None: the team's
    annotation of each document (`models/store/resolved.py`), conflicts left out."""
    if annotator is None:
        from .resolved import iter_resolved_documents

        yield from iter_resolved_documents(session=session, statuses=statuses, batch=batch)
        return

    conn = session.connection()
    base = _export_query(annotator=annotator, statuses=statuses)
    last: tuple[int, int] | None = None
    while True:  # keyset pages on (position, id): no OFFSET scans, no row missed if positions repeat
        stmt = base.add_columns(DOCUMENT.c.position).order_by(DOCUMENT.c.position, DOCUMENT.c.id).limit(batch)
        if last is not None:
            stmt = stmt.where(tuple_(DOCUMENT.c.position, DOCUMENT.c.id) > tuple_(*last))
        rows = conn.execute(stmt).all()
        if not rows:
            return
        last = (rows[-1][-1], rows[-1][0])
        ann_ids = [r[4] for r in rows if r[4] is not None]
        spans: dict[int, list[tuple[int, int, str]]] = {}
        for i in range(0, len(ann_ids), _IN_CHUNK):  # every IN (...) within SQLite's smallest limit (999)
            for ann_id, start, end, label in conn.execute(
                select(SPAN.c.annotation_id, SPAN.c.start, SPAN.c.end, SPAN.c.label)
                .where(SPAN.c.annotation_id.in_(ann_ids[i : i + _IN_CHUNK]))
                .order_by(SPAN.c.annotation_id, SPAN.c.start, SPAN.c.end)
            ):
                spans.setdefault(ann_id, []).append((start, end, label))
        notes = notes_for(ann_ids, conn=conn) if ann_ids else {}
        for doc_id, text, meta, status, ann_id, tokens, _position in rows:
            meta = dict(meta or {})
            note = notes.get(ann_id) if ann_id else None
            if note:  # the annotator's comment and flag travel in meta
                meta.update({k: v for k, v in (("comment", note.comment), ("flag", note.flag)) if v})
            yield AnnotatedDocument(doc_id, text, meta, status, spans.get(ann_id, []) if ann_id else [], tokens)
