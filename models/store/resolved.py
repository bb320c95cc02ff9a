"""The team's annotation of each document, for export and training: its gold annotation where a reviewer decided
one, else what the annotators who decided it agree on; documents where they differ and nobody reviewed them are
left out (and counted), never merged or picked at random.

Rules, per document: a gold annotation (`models.team.GOLD`) that is not pending wins. Else, of people's
annotations, the decided ones (not pending) count: none -> pending (with the spans of its one annotation, if it
has exactly one); all with the same status and the same spans -> that; otherwise a conflict.
Reads in batches of documents in project order, three queries a batch (SQLAlchemy Core).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import select, tuple_
from sqlmodel import Session, col

from ..db.tables import Annotation, Document, Span, Status
from ..team import GOLD, is_person
from .exports import AnnotatedDocument
from .imports import published
from .notes import notes_for
from .transactions import _IN_CHUNK

SpanTuple = tuple[int, int, str]
CONFLICT = "conflict"


def resolve(annotations: Sequence[tuple[str, str, list[SpanTuple]]]) -> tuple[str, list[SpanTuple]]:
    """(status, spans) of a document from its annotations (annotator, status, spans); status CONFLICT when the
    annotators who decided it differ and no gold annotation settles it."""
    status, spans, _speakers = _resolve(annotations)
    return status, spans


def _resolve(annotations: Sequence[tuple[str, str, list[SpanTuple]]]) -> tuple[str, list[SpanTuple], list[int]]:
    """`resolve`, and which of `annotations` (indexes) it took the result from (their notes are exported)."""
    for i, (who, status, spans) in enumerate(annotations):
        if who == GOLD and status != Status.pending.value:
            return status, spans, [i]
    people = [(i, status, spans) for i, (who, status, spans) in enumerate(annotations) if is_person(who)]
    decided = [(i, status, spans) for i, status, spans in people if status != Status.pending.value]
    if not decided:
        if len(people) == 1:
            return Status.pending.value, people[0][2], [people[0][0]]
        return Status.pending.value, [], []
    _i, first_status, first_spans = decided[0]
    if all(status == first_status and set(spans) == set(first_spans) for _j, status, spans in decided[1:]):
        return first_status, first_spans, [i for i, _s, _sp in decided]
    return CONFLICT, [], []


def _batches(session: Session, batch: int) -> Iterator[list[tuple[Any, str, list[SpanTuple], dict[str, Any]]]]:
    """Per batch of documents in project order: (document row, resolved status, spans, meta): the meta with the
    comment and flag of the annotation the result came from (the first that has a note)."""
    conn = session.connection()
    batch = min(batch, _IN_CHUNK)  # each batch's ids go into IN (...): within SQLite's smallest limit (999)
    base = select(
        col(Document.id), col(Document.text), col(Document.meta), col(Document.position), col(Document.tokens)
    ).where(published())  # an import still under way is left out until it is published
    last: tuple[int, int] | None = None
    while True:
        stmt = base.order_by(col(Document.position), col(Document.id)).limit(batch)
        if last is not None:
            stmt = stmt.where(tuple_(col(Document.position), col(Document.id)) > tuple_(*last))
        rows = conn.execute(stmt).all()
        if not rows:
            return
        last = (rows[-1].position, rows[-1].id)
        ids: list[int] = [r.id for r in rows]
        anns: dict[int, tuple[int, str, str]] = {}
        ann_rows: Any = conn.execute(
            select(col(Annotation.id), col(Annotation.document_id), col(Annotation.annotator), col(Annotation.status))
            .where(col(Annotation.document_id).in_(ids))
            .order_by(col(Annotation.annotator))
        ).all()
        for ann_id, doc_id, who, status in ann_rows:
            anns[ann_id] = (doc_id, who, status)
        spans: dict[int, list[SpanTuple]] = {a: [] for a in anns}
        for ann_id, start, end, label in conn.execute(
            select(col(Span.annotation_id), col(Span.start), col(Span.end), col(Span.label))
            .join(Annotation, col(Annotation.id) == col(Span.annotation_id))
            .where(col(Annotation.document_id).in_(ids))
            .order_by(col(Span.annotation_id), col(Span.start), col(Span.end))
        ).all():  # fetchall: a third of the cost of SQLAlchemy fetching row by row
            spans[ann_id].append((start, end, label))
        per_doc: dict[int, list[tuple[str, str, list[SpanTuple]]]] = {d: [] for d in ids}
        ann_of: dict[int, list[int]] = {d: [] for d in ids}
        for ann_id, (doc_id, who, status) in anns.items():
            per_doc[doc_id].append((who, status, spans[ann_id]))
            ann_of[doc_id].append(ann_id)
        notes = notes_for(list(anns), conn=conn) if anns else {}
        out = []
        for row in rows:
            status, chosen, speakers = _resolve(per_doc[row.id])
            meta = dict(row.meta or {})
            for k in speakers:
                note = notes.get(ann_of[row.id][k])
                if note:  # the comment and flag travel in meta, as in one annotator's export
                    meta.update({key: v for key, v in (("comment", note.comment), ("flag", note.flag)) if v})
                    break
            out.append((row, status, chosen, meta))
        yield out


def resolved_statuses(*, session: Session, batch: int = 2000) -> Iterator[tuple[int, str, str]]:
    """(id, text hash, team status) of every document, in project order (`resolve`'s rules), without reading texts:
    spans are read only for documents two or more people decided (only there can they differ)."""
    conn = session.connection()
    batch = min(batch, _IN_CHUNK)
    base = select(col(Document.id), col(Document.text_hash), col(Document.position)).where(published())
    last: tuple[int, int] | None = None
    while True:
        stmt = base.order_by(col(Document.position), col(Document.id)).limit(batch)
        if last is not None:
            stmt = stmt.where(tuple_(col(Document.position), col(Document.id)) > tuple_(*last))
        rows = conn.execute(stmt).all()
        if not rows:
            return
        last = (rows[-1].position, rows[-1].id)
        ids = [r.id for r in rows]
        per_doc: dict[int, list[tuple[int, str, str]]] = {d: [] for d in ids}
        for ann_id, doc_id, who, status in conn.execute(
            select(col(Annotation.id), col(Annotation.document_id), col(Annotation.annotator), col(Annotation.status))
            .where(col(Annotation.document_id).in_(ids))
            .order_by(col(Annotation.annotator))
        ).all():
            per_doc[doc_id].append((cast(int, ann_id), who, status))  # a stored row's id is never None
        compared = [
            ann_id
            for anns in per_doc.values()
            if sum(1 for _a, who, st in anns if is_person(who) and st != Status.pending.value) > 1
            for ann_id, _who, _st in anns
        ]
        spans: dict[int, list[SpanTuple]] = {a: [] for a in compared}
        if compared:
            for ann_id, start, end, label in conn.execute(
                select(col(Span.annotation_id), col(Span.start), col(Span.end), col(Span.label)).where(
                    col(Span.annotation_id).in_(compared)
                )
            ).all():
                spans[ann_id].append((start, end, label))
        for row in rows:
            status, _spans, _speakers = _resolve([(who, st, spans.get(a, [])) for a, who, st in per_doc[row.id]])
            yield int(row.id), str(row.text_hash), status


def resolved_document_ids(*, session: Session, statuses: Sequence[str]) -> list[int]:
    """Ids, in project order, of the documents whose team status (see `resolve`) is in `statuses`."""
    wanted = set(statuses)
    return [doc_id for doc_id, _h, status in resolved_statuses(session=session) if status in wanted]


def iter_resolved_documents(
    *, session: Session, statuses: Sequence[str], batch: int = 2000
) -> Iterator[AnnotatedDocument]:
    """The documents whose team status is in `statuses`, with the team's spans, in project order."""
    wanted = set(statuses)
    for part in _batches(session, batch):
        for row, status, spans, meta in part:
            if status in wanted:
                yield AnnotatedDocument(row.id, row.text, meta, status, sorted(spans), row.tokens)


def count_conflicts(*, session: Session) -> int:
    """Documents whose annotators differ and that no reviewer decided: left out of exports and training."""
    return sum(1 for _id, _h, status in resolved_statuses(session=session) if status == CONFLICT)
