"""Reading annotated documents in bulk for export: SQLAlchemy Core, batched, in project order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, tuple_
from sqlmodel import Session, col, select

from ..db.tables import Annotation, Document, Span, Status
from .imports import published


@dataclass
class AnnotatedDocument:
    """A document with one annotator's decision and spans, as exported."""

    id: int
    text: str
    meta: dict[str, Any]
    status: str
    spans: list[tuple[int, int, str]]


def _export_query(*, annotator: str, statuses: Sequence[str]):
    ann = (
        select(Annotation.document_id, Annotation.status, Annotation.id)
        .where(Annotation.annotator == annotator)
        .subquery()
    )
    status = func.coalesce(ann.c.status, Status.pending.value)
    return (
        select(Document.id, Document.text, Document.meta, status, ann.c.id)
        .outerjoin(ann, ann.c.document_id == Document.id)
        .where(status.in_(list(statuses)), published())
    )


def export_document_ids(*, session: Session, annotator: str, statuses: Sequence[str]) -> list[int]:
    """Ids of the documents whose status (for `annotator`; undecided = pending) is in `statuses`, in project order."""
    sub = _export_query(annotator=annotator, statuses=statuses).subquery()
    stmt = select(sub.c.id).join(Document, Document.id == sub.c.id).order_by(Document.position, Document.id)
    return list(session.exec(stmt).all())


def iter_annotated_documents(
    *, session: Session, annotator: str, statuses: Sequence[str], batch: int = 2000
) -> Iterator[AnnotatedDocument]:
    """Documents whose status for `annotator` is in `statuses`, with that annotator's spans sorted by offset,
    in project order. Reads `batch` documents and their spans per query (two queries per batch)."""

    conn = session.connection()
    base = _export_query(annotator=annotator, statuses=statuses)
    last = None
    while True:  # keyset pages on (position, id): no OFFSET scans, no row missed if positions repeat
        stmt = base.add_columns(Document.position).order_by(Document.position, Document.id).limit(batch)
        if last is not None:
            stmt = stmt.where(tuple_(Document.position, Document.id) > tuple_(*last))
        rows = conn.execute(stmt).all()
        if not rows:
            return
        last = (rows[-1][-1], rows[-1][0])
        ann_ids = [r[4] for r in rows if r[4] is not None]
        spans: dict[int, list[tuple[int, int, str]]] = {}
        if ann_ids:
            for ann_id, start, end, label in conn.execute(
                select(Span.annotation_id, Span.start, Span.end, Span.label)
                .where(col(Span.annotation_id).in_(ann_ids))
                .order_by(Span.annotation_id, Span.start, Span.end)
            ):
                spans.setdefault(ann_id, []).append((start, end, label))
        for doc_id, text, meta, status, ann_id, _position in rows:
            yield AnnotatedDocument(doc_id, text, meta or {}, status, spans.get(ann_id, []) if ann_id else [])
