"""The team's annotation of each document, for export and training: its gold annotation where a reviewer decided
one, else what the annotators who decided it agree on; documents where they differ and nobody reviewed them are
left out (and counted), never merged or picked at random.

Rules, per document: a gold annotation (`models.team.GOLD`) that is not pending wins. Else, of people's
annotations, the decided ones (not pending) count: none -> pending (with the spans of its one annotation, if it
has exactly one); all with the same status and the same spans -> that; otherwise a conflict.
Reads in batches of documents in project order, three queries a batch (SQLAlchemy Core); a batch's annotations
and spans by the range of its documents' (position, id), so each query's SQL is the same for every batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import CursorResult, select
from sqlmodel import Session

from ..db.tables import ANNOTATION, DOCUMENT, NOTE, SPAN, Status
from ..team import GOLD, is_person
from .exports import AnnotatedDocument
from .imports import published
from .pages import document_pages
from .transactions import _IN_CHUNK

SpanTuple = tuple[int, int, str]
CONFLICT = "conflict"
PENDING = Status.pending.value


def resolve(annotations: Sequence[tuple[str, str, list[SpanTuple]]]) -> tuple[str, list[SpanTuple]]:
    """(status, spans) of a document from its annotations (annotator, status, spans); status CONFLICT when the
    annotators who decided it differ and no gold annotation settles it."""
    status, spans, _speakers = _resolve(annotations)
    return status, spans


def _resolve(annotations: Sequence[tuple[str, str, list[SpanTuple]]]) -> tuple[str, list[SpanTuple], list[int]]:
    """`resolve`, and which of `annotations` (indexes) it took the result from (their notes are exported)."""
    if len(annotations) == 1:  # most documents: the rules below, for one annotation
        who, status, spans = annotations[0]
        if (who == GOLD and status != PENDING) or is_person(who):
            return status, spans, [0]
        return PENDING, [], []
    for i, (who, status, spans) in enumerate(annotations):
        if who == GOLD and status != PENDING:
            return status, spans, [i]
    people = [(i, status, spans) for i, (who, status, spans) in enumerate(annotations) if is_person(who)]
    decided = [(i, status, spans) for i, status, spans in people if status != PENDING]
    if not decided:
        if len(people) == 1:
            return PENDING, people[0][2], [people[0][0]]
        return PENDING, [], []
    _i, first_status, first_spans = decided[0]
    if all(status == first_status and set(spans) == set(first_spans) for _j, status, spans in decided[1:]):
        return first_status, first_spans, [i for i, _s, _sp in decided]
    return CONFLICT, [], []


def _plain(result: CursorResult[Any]) -> list[tuple[Any, ...]]:
    """All rows of a query whose columns need no conversion (integers and strings), as the driver's own tuples:
    SQLAlchemy's rows cost more than the query for the hundred thousand spans of an export."""
    return cast(list[tuple[Any, ...]], result.cursor.fetchall())


_FIRST = itemgetter(0)
_SPAN_OF_ROW = itemgetter(1, 2, 3)  # (start, end, label) of (annotation id, start, end, label)


def _batches(session: Session, batch: int) -> Iterator[list[tuple[Any, str, list[SpanTuple], dict[str, Any]]]]:
    """Per batch of documents in project order: (document row, resolved status, spans, meta): the meta with the
    comment and flag of the annotation the result came from (the first that has a note)."""
    conn = session.connection()
    base = select(DOCUMENT.c.id, DOCUMENT.c.text, DOCUMENT.c.meta, DOCUMENT.c.position, DOCUMENT.c.tokens).where(
        published()  # an import still under way is left out until it is published
    )
    for rows, in_page in document_pages(conn, base, batch):
        per_doc: dict[int, list[tuple[str, str, list[SpanTuple]]]] = {row[0]: [] for row in rows}
        notes_of: dict[int, list[tuple[str, str | None]]] = {doc_id: [] for doc_id in per_doc}
        spans: dict[int, list[SpanTuple]] = {}
        for _ann, doc_id, who, status, comment, flag in _plain(
            conn.execute(
                select(
                    ANNOTATION.c.id,
                    ANNOTATION.c.document_id,
                    ANNOTATION.c.annotator,
                    ANNOTATION.c.status,
                    NOTE.c.comment,
                    NOTE.c.flag,
                )
                .join(DOCUMENT, DOCUMENT.c.id == ANNOTATION.c.document_id)
                .outerjoin(NOTE, NOTE.c.annotation_id == ANNOTATION.c.id)
                .where(in_page)
                .order_by(ANNOTATION.c.annotator)
            )
        ):
            anns = per_doc.get(doc_id)
            if anns is not None:  # not a document the page leaves out (of an import under way)
                anns.append((who, status, spans.setdefault(_ann, [])))
                notes_of[doc_id].append((comment or "", flag))
        # In the documents' order, so one annotation's spans come together: each run is copied in C (groupby, map).
        found = _plain(
            conn.execute(
                select(SPAN.c.annotation_id, SPAN.c.start, SPAN.c.end, SPAN.c.label)
                .join(ANNOTATION, ANNOTATION.c.id == SPAN.c.annotation_id)
                .join(DOCUMENT, DOCUMENT.c.id == ANNOTATION.c.document_id)
                .where(in_page)  # the plan walks the page's documents, not every span
                .order_by(DOCUMENT.c.position, DOCUMENT.c.id, SPAN.c.annotation_id, SPAN.c.start, SPAN.c.end)
            )
        )
        for ann_id, run in groupby(found, _FIRST):
            ann_spans = spans.get(ann_id)
            if ann_spans is not None:
                ann_spans.extend(map(_SPAN_OF_ROW, run))
        out = []
        for row in rows:
            doc_id = row[0]
            status, chosen, speakers = _resolve(per_doc[doc_id])
            meta = dict(row.meta or {})
            notes = notes_of[doc_id]
            for k in speakers:
                comment, flag = notes[k]
                if comment or flag:  # the comment and flag travel in meta, as in one annotator's export
                    meta.update({key: v for key, v in (("comment", comment), ("flag", flag)) if v})
                    break
            out.append((row, status, chosen, meta))
        yield out


def resolved_statuses(*, session: Session, batch: int = 2000) -> Iterator[tuple[int, str, str]]:
    """(id, text hash, team status) of every document, in project order (`resolve`'s rules), without reading texts:
    spans are read only for documents two or more people decided (only there can they differ)."""
    conn = session.connection()
    base = select(DOCUMENT.c.id, DOCUMENT.c.text_hash, DOCUMENT.c.position).where(published())
    for rows, in_page in document_pages(conn, base, batch):
        per_doc: dict[int, list[tuple[int, str, str]]] = {}
        for ann_id, doc_id, who, status in _plain(
            conn.execute(
                select(ANNOTATION.c.id, ANNOTATION.c.document_id, ANNOTATION.c.annotator, ANNOTATION.c.status)
                .join(DOCUMENT, DOCUMENT.c.id == ANNOTATION.c.document_id)
                .where(in_page)
                .order_by(ANNOTATION.c.annotator)
            )
        ):
            per_doc.setdefault(doc_id, []).append((ann_id, who, status))
        compared = [
            ann_id
            for anns in per_doc.values()
            if len(anns) > 1 and sum(1 for _a, who, st in anns if is_person(who) and st != PENDING) > 1
            for ann_id, _who, _st in anns
        ]
        spans: dict[int, list[SpanTuple]] = {a: [] for a in compared}
        for i in range(0, len(compared), _IN_CHUNK):  # every IN (...) within SQLite's smallest limit (999)
            for ann_id, start, end, label in conn.execute(
                select(SPAN.c.annotation_id, SPAN.c.start, SPAN.c.end, SPAN.c.label).where(
                    SPAN.c.annotation_id.in_(compared[i : i + _IN_CHUNK])
                )
            ).all():
                spans[ann_id].append((start, end, label))
        for doc_id, text_hash, _position in cast(Sequence[tuple[int, str, int]], rows):
            anns = per_doc.get(doc_id)
            if anns is None:  # nobody annotated it (or only in an import under way, which the page leaves out)
                yield doc_id, text_hash, PENDING
            elif len(anns) == 1:  # most documents: `_resolve` for one annotation, without its spans
                _a, who, status = anns[0]
                yield doc_id, text_hash, status if (who == GOLD and status != PENDING) or is_person(who) else PENDING
            else:
                status, _spans, _speakers = _resolve([(who, st, spans.get(a, [])) for a, who, st in anns])
                yield doc_id, text_hash, status


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
