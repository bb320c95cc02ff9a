"""What training reads: the decided annotations of every annotator, what they rejected, and undecided texts.

Reads only (training never writes the annotation tables). Every statement binds at most `_IN_CHUNK` ids.

- `training_documents`: per document, the annotation to learn from: the team's annotation (the rule exports use,
  `models/store/resolved.py`: the reviewed gold, else what the annotators who decided it agree on; differing
  unreviewed documents are left out and counted). A document that nobody accepted but where an annotator removed
  suggestions still teaches what is NOT an entity (negative evidence).
- `undecided_texts`: texts nobody decided, for rehearsing what a pipeline already knew.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, func
from sqlmodel import Session, col, select

from ..db.tables import Annotation, Dismissal, Document, Span, Status
from .imports import published, published_annotation
from .transactions import _IN_CHUNK

SpanTuple = tuple[int, int, str]


@dataclass
class TrainingDocument:
    """One document as training sees it. `complete` is True for an accepted annotation (every token outside
    `spans` is not an entity); False for negative evidence only (`spans` is empty, only `rejected` is known)."""

    id: int
    text: str
    text_hash: str
    tokens: bytes | None
    spans: list[SpanTuple]
    rejected: list[SpanTuple] = field(default_factory=list)
    complete: bool = True


@dataclass
class TrainingData:
    documents: list[TrainingDocument]
    conflicts: int = 0  # documents accepted by several annotators with different spans, left out
    annotators: int = 0  # people whose accepted documents were read (the gold annotation is not a person)
    reviewed: int = 0  # accepted documents read from their gold annotation (a reviewer settled them)


def _documents(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[str, str, bytes | None]]:
    """{id: (text, text hash, the document's own tokens or None)}."""
    out: dict[int, tuple[str, str, bytes | None]] = {}
    for i in range(0, len(ids), _IN_CHUNK):
        chunk = list(ids[i : i + _IN_CHUNK])
        stmt = select(col(Document.id), col(Document.text), col(Document.text_hash), col(Document.tokens)).where(
            col(Document.id).in_(chunk)
        )
        for doc_id, text, hash_, tokens in conn.execute(stmt):
            if doc_id is not None:  # a primary key: never None
                out[doc_id] = (text, hash_, tokens)
    return out


def _spans_by_annotation(conn: Connection, ann_ids: Sequence[int]) -> dict[int, list[SpanTuple]]:
    out: dict[int, list[SpanTuple]] = {}
    for i in range(0, len(ann_ids), _IN_CHUNK):
        chunk = list(ann_ids[i : i + _IN_CHUNK])
        stmt = (
            select(Span.annotation_id, Span.start, Span.end, Span.label)
            .where(col(Span.annotation_id).in_(chunk))
            .order_by(col(Span.annotation_id), col(Span.start), col(Span.end))
        )
        for ann_id, start, end, label in conn.execute(stmt):
            out.setdefault(ann_id, []).append((start, end, label))
    return out


def _dismissals_by_annotation(conn: Connection, ann_ids: Sequence[int]) -> dict[int, list[SpanTuple]]:
    out: dict[int, list[SpanTuple]] = {}
    for i in range(0, len(ann_ids), _IN_CHUNK):
        chunk = list(ann_ids[i : i + _IN_CHUNK])
        stmt = select(Dismissal.annotation_id, Dismissal.start, Dismissal.end, Dismissal.label).where(
            col(Dismissal.annotation_id).in_(chunk)
        )
        for ann_id, start, end, label in conn.execute(stmt):
            out.setdefault(ann_id, []).append((start, end, label))
    return out


def training_documents(*, session: Session) -> TrainingData:
    """Every document with something to learn from, in project order: its team annotation (`resolved.resolve`:
    the reviewed gold where there is one, else what the annotators who decided it agree on) when that is
    accepted; documents whose annotators differ unreviewed are left out and counted; a document nobody accepted
    where someone removed suggestions teaches only what is not an entity."""
    from ..team import GOLD, is_person
    from .resolved import CONFLICT, resolve

    conn = session.connection()
    rows = conn.execute(
        select(Annotation.id, Annotation.document_id, Annotation.annotator, Annotation.status)
        .join(Document, col(Document.id) == col(Annotation.document_id))
        .where(published())  # an import still under way is left out until it is published
        .order_by(col(Document.position), col(Document.id), col(Annotation.annotator))
    ).all()
    by_doc: dict[int, list[tuple[int, str, str]]] = {}
    for ann_id, doc_id, annotator, status in rows:
        by_doc.setdefault(doc_id, []).append((ann_id, annotator, status))
    all_ann = [r[0] for r in rows]
    spans = _spans_by_annotation(conn, all_ann)
    dismissed = _dismissals_by_annotation(conn, all_ann)
    chosen: dict[int, list[SpanTuple]] = {}
    negative: dict[int, list[SpanTuple]] = {}
    conflicts = reviewed = 0
    who: set[str] = set()
    for doc_id, anns in by_doc.items():
        status, kept = resolve([(annotator, st, spans.get(a, [])) for a, annotator, st in anns])
        wrong = sorted({r for a, _w, _s in anns for r in dismissed.get(a, []) if r not in kept})
        if status == Status.accepted.value:
            chosen[doc_id] = kept
            negative[doc_id] = wrong
            who.update(w for _a, w, st in anns if st == Status.accepted.value and is_person(w))
            reviewed += any(w == GOLD and st != Status.pending.value for _a, w, st in anns)
        elif status == CONFLICT:
            conflicts += 1
        elif status != Status.rejected.value and wrong:
            negative[doc_id] = wrong
    texts = _documents(conn, list(dict.fromkeys([*chosen, *negative])))
    out: list[TrainingDocument] = []
    for doc_id in by_doc:  # project order (rows were read in it)
        if doc_id not in texts:
            continue
        text, hash_, tokens = texts[doc_id]
        if doc_id in chosen:
            out.append(TrainingDocument(doc_id, text, hash_, tokens, chosen[doc_id], negative[doc_id], complete=True))
        else:
            out.append(TrainingDocument(doc_id, text, hash_, tokens, [], negative[doc_id], complete=False))
    return TrainingData(out, conflicts=conflicts, annotators=len(who), reviewed=reviewed)


def undecided_texts(*, session: Session, limit: int, exclude: Sequence[int] = ()) -> list[str]:
    """Up to `limit` texts of documents nobody has decided (no annotation that is not pending), in project order."""
    if limit <= 0:
        return []
    decided = (
        select(Annotation.id)
        .where(Annotation.document_id == Document.id, Annotation.status != Status.pending.value)
        .exists()
    )
    skip = set(exclude)
    stmt = (
        select(Document.id, Document.text)
        .where(~decided, published())
        .order_by(col(Document.position))
        .limit(limit + len(skip))
    )
    return [text for doc_id, text in session.connection().execute(stmt) if doc_id not in skip][:limit]


def accepted_count(*, session: Session) -> int:
    """How many documents at least one annotator accepted (automatic retraining counts them)."""
    stmt = select(func.count(func.distinct(Annotation.document_id))).where(
        Annotation.status == Status.accepted.value, published_annotation()
    )
    return int(session.connection().execute(stmt).scalar_one())
