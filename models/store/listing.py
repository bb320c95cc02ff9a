"""The document list's reads: filtered, counted and paged rows without full texts; where a document sits in
the filtered list; the annotator's last decision and decisions since a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, literal, or_
from sqlmodel import Session, select

from ..db.engine import casefold
from ..db.tables import Annotation, Document, Event, Note, Span, Status
from .imports import published

PREVIEW_CHARS = 120


@dataclass(frozen=True)
class DocumentRow:
    """What a document list shows: no full text."""

    id: int
    position: int
    preview: str
    length: int
    status: str


ANY_FLAG = "any"  # the flag filter's value for "flagged at all"


def _filtered_documents(
    *, annotator: str, status: str | None, label: str | None, search: str | None, flag: str | None = None
):
    ann = (
        select(Annotation.document_id, Annotation.status, Annotation.id)
        .where(Annotation.annotator == annotator)
        .subquery()
    )
    stmt = select(
        Document.id,
        Document.position,
        func.substr(Document.text, 1, PREVIEW_CHARS),
        func.length(Document.text),
        func.coalesce(ann.c.status, Status.pending.value),
    ).outerjoin(ann, ann.c.document_id == Document.id)
    stmt = stmt.where(published())  # an import still under way shows when it is published
    if status:
        if status == Status.pending.value:
            stmt = stmt.where(or_(ann.c.status.is_(None), ann.c.status == status))
        else:
            stmt = stmt.where(ann.c.status == status)
    if label:
        stmt = stmt.where(select(Span.id).where(Span.annotation_id == ann.c.id, Span.label == label).exists())
    if search:
        stmt = stmt.where(func.instr(casefold(Document.text), casefold(literal(search))) > 0)
    if flag:  # flagged by anyone (a reviewer looks for every annotator's flags); ANY_FLAG: any flag
        flagged = (
            select(Note.id)
            .join(Annotation, Annotation.id == Note.annotation_id)
            .where(Annotation.document_id == Document.id, Note.flag.is_not(None))
        )
        stmt = stmt.where((flagged if flag == ANY_FLAG else flagged.where(Note.flag == flag)).exists())
    return stmt


def document_rows(
    *,
    session: Session,
    annotator: str,
    offset: int = 0,
    limit: int = 200,
    status: str | None = None,
    label: str | None = None,
    search: str | None = None,
    flag: str | None = None,
) -> list[DocumentRow]:
    """A page of the document list, in project order, with this annotator's status."""
    stmt = _filtered_documents(annotator=annotator, status=status, label=label, search=search, flag=flag)
    stmt = stmt.order_by(Document.position).offset(offset).limit(limit)
    return [DocumentRow(*row) for row in session.exec(stmt).all()]


def count_documents(
    *,
    session: Session,
    annotator: str,
    status: str | None = None,
    label: str | None = None,
    search: str | None = None,
    flag: str | None = None,
) -> int:
    sub = _filtered_documents(annotator=annotator, status=status, label=label, search=search, flag=flag).subquery()
    return session.exec(select(func.count()).select_from(sub)).one()


def filtered_row_of(
    document_id: int,
    *,
    session: Session,
    annotator: str,
    status: str | None = None,
    label: str | None = None,
    search: str | None = None,
    flag: str | None = None,
) -> int | None:
    """The 0-based row of a document in the list under these filters (the number of listed documents before it
    in project order), or None if the filters hide it or it does not exist."""
    position = select(Document.position).where(Document.id == document_id).scalar_subquery()
    sub = (
        _filtered_documents(annotator=annotator, status=status, label=label, search=search, flag=flag)
        .where(Document.position <= position)
        .subquery()
    )
    listed = func.max(case((sub.c.id == document_id, 1), else_=0))
    count, found = session.exec(select(func.count(), listed).select_from(sub)).one()
    return count - 1 if found else None


def last_decision(*, session: Session, annotator: str) -> int | None:
    """The document this annotator decided most recently that is still decided (for "back"), or None."""
    stmt = (
        select(Event.document_id)
        .join(Annotation, (Annotation.document_id == Event.document_id) & (Annotation.annotator == Event.annotator))
        .where(Event.annotator == annotator, Event.action == "set_status", Annotation.status != Status.pending.value)
        .order_by(Event.id.desc())
        .limit(1)
    )
    return session.exec(stmt).first()


def decided_since(since, *, session: Session, annotator: str) -> int:
    """How many documents this annotator has decided (not pending) whose annotation changed since `since`
    (a timezone-aware datetime)."""
    stmt = (
        select(func.count())
        .select_from(Annotation)
        .where(
            Annotation.annotator == annotator, Annotation.status != Status.pending.value, Annotation.updated_at >= since
        )
    )
    return session.exec(stmt).one()
