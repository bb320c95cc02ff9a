"""Annotations of one document by several annotators, side by side (for agreement and review).

Only people's annotations are compared: the gold annotation (`models.team.GOLD`) is left out. Reads only:
SQLAlchemy Core, in batches of documents, in project order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from ..db.tables import Annotation, Document, Span, Status
from ..team import GOLD, RESERVED_PREFIX
from .pages import document_pages

SpanTuple = tuple[int, int, str]


@dataclass(frozen=True)
class SideBySide:
    """A document and each annotator's spans of it (sorted by offset), annotators in name order, and when each
    annotator's annotation last changed."""

    document_id: int
    text: str
    spans: dict[str, list[SpanTuple]] = field(default_factory=dict)
    updated_at: dict[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class Overlap:
    """How many documents several annotators decided, and how many of them count for agreement."""

    compared: int  # documents with at least two annotations in the compared statuses
    single: int  # documents with exactly one annotation in the compared statuses
    status_differs: int  # documents decided by two or more whose statuses are not all the same


def _annotations(statuses: Sequence[str] | None, annotators: Sequence[str] | None) -> ColumnElement[bool]:
    """The WHERE clause choosing people's annotations by status and annotator (None: any)."""
    clause: ColumnElement[bool] = ~col(Annotation.annotator).startswith(RESERVED_PREFIX, autoescape=True)
    if statuses is not None:
        clause = clause & col(Annotation.status).in_(list(statuses))
    if annotators is not None:
        clause = clause & col(Annotation.annotator).in_(list(annotators))
    return clause


def overlap_counts(
    *, session: Session, statuses: Sequence[str] = (Status.accepted.value,), annotators: Sequence[str] | None = None
) -> Overlap:
    """Counts of documents by how many annotators (of `annotators`, default all) decided them (see `Overlap`)."""
    per_doc = (
        select(col(Annotation.document_id), func.count().label("n"))
        .where(_annotations(statuses, annotators))
        .group_by(col(Annotation.document_id))
        .subquery()
    )
    compared = session.execute(select(func.count()).select_from(per_doc).where(per_doc.c.n >= 2)).scalar_one()
    single = session.execute(select(func.count()).select_from(per_doc).where(per_doc.c.n == 1)).scalar_one()
    decided = (
        select(col(Annotation.document_id))
        .where(_annotations(None, annotators), col(Annotation.status) != Status.pending.value)
        .group_by(col(Annotation.document_id))
        .having(func.count() >= 2, func.count(func.distinct(col(Annotation.status))) > 1)
        .subquery()
    )
    differs = session.execute(select(func.count()).select_from(decided)).scalar_one()
    return Overlap(compared=compared, single=single, status_differs=differs)


def side_by_side(
    *,
    session: Session,
    statuses: Sequence[str] = (Status.accepted.value,),
    annotators: Sequence[str] | None = None,
    unreviewed: bool = False,
    document_ids: Sequence[int] | None = None,
    batch: int = 500,
) -> Iterator[SideBySide]:
    """Documents that two or more annotators (of `annotators`, default all) decided with a status in
    `statuses`, each with those annotators' spans, in project order. `unreviewed`: only documents without a
    decided gold annotation; `document_ids`: only these. Reads `batch` documents per query."""
    conn = session.connection()
    ann_filter = _annotations(statuses, annotators)
    ids = (
        select(col(Annotation.document_id))
        .where(ann_filter)
        .group_by(col(Annotation.document_id))
        .having(func.count() >= 2)
        .subquery()
    )
    base = select(col(Document.id), col(Document.text), col(Document.position)).join(
        ids, ids.c.document_id == col(Document.id)
    )
    if unreviewed:
        gold = aliased(Annotation)
        base = base.where(
            ~exists().where(
                col(gold.document_id) == col(Document.id),
                col(gold.annotator) == GOLD,
                col(gold.status) != Status.pending.value,
            )
        )
    if document_ids is not None:
        base = base.where(col(Document.id).in_(list(document_ids)))
    for rows, _in_page in document_pages(conn, base, batch):  # pages hold only the documents compared: by id
        doc_ids = [r.id for r in rows]
        spans: dict[int, dict[str, list[SpanTuple]]] = {d: {} for d in doc_ids}
        updated: dict[int, dict[str, datetime]] = {d: {} for d in doc_ids}
        in_batch = ann_filter & col(Annotation.document_id).in_(doc_ids)
        for doc_id, annotator, at in conn.execute(
            select(col(Annotation.document_id), col(Annotation.annotator), col(Annotation.updated_at))
            .where(in_batch)
            .order_by(col(Annotation.annotator))
        ):
            spans[doc_id][annotator] = []
            updated[doc_id][annotator] = at
        for doc_id, annotator, start, end, label in conn.execute(
            select(
                col(Annotation.document_id), col(Annotation.annotator), col(Span.start), col(Span.end), col(Span.label)
            )
            .join(Annotation, col(Annotation.id) == col(Span.annotation_id))
            .where(in_batch)
            .order_by(col(Span.annotation_id), col(Span.start), col(Span.end))
        ):
            spans[doc_id][annotator].append((start, end, label))
        for row in rows:
            yield SideBySide(row.id, row.text, spans[row.id], updated[row.id])
