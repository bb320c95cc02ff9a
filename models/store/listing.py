"""The document list's reads: filtered rows without full texts, paged by key; their count; the next document
still to do (the queue); the newest change (what other windows watch); the annotator's decisions.

Rows are paged by key, `(position, id)` greater than the last row loaded, never by OFFSET: deciding documents
under a status filter shrinks the result, and an offset would then skip (or repeat) as many rows as changed.
Every query here is plain SQLAlchemy Core that SQLite and PostgreSQL both run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_
from sqlmodel import Session, SQLModel, col, select

from ..db.dialect import contains_text
from ..db.tables import Annotation, Document, Event, Note, Span, Status
from .imports import published

PREVIEW_CHARS = 120
ANY_FLAG = "any"  # the flag filter's value for "flagged at all"

Key = tuple[int, int]  # (position, id): a row's place in project order (positions may tie after a merge)


@dataclass(frozen=True)
class ListFilters:
    """What the document list shows: one status (None: all), documents with a span of one label, a text search
    (Unicode case folding), documents flagged by anyone (a reviewer looks at every annotator's flags; `ANY_FLAG`:
    any flag). Empty strings mean "no filter"."""

    status: str | None = None
    label: str | None = None
    search: str | None = None
    flag: str | None = None

    def __post_init__(self) -> None:
        for name in ("status", "label", "search", "flag"):
            value = getattr(self, name)
            object.__setattr__(self, name, value.strip() if isinstance(value, str) and value.strip() else None)
        if self.status is not None:
            object.__setattr__(self, "status", Status(self.status).value)

    @property
    def to_do(self) -> str:
        """The status of the documents still to do in this list: pending, unless the list shows one other status
        (reviewing rejected documents: the next is the next rejected one)."""
        return self.status or Status.pending.value


NO_FILTERS = ListFilters()


@dataclass(frozen=True)
class DocumentRow:
    """What a document list shows: no full text."""

    id: int
    position: int
    preview: str
    length: int
    status: str

    @property
    def key(self) -> Key:
        return (self.position, self.id)


# Typed column handles (SQLModel's class attributes read as plain values to a type checker)
_doc_id, _position, _text = col(Document.id), col(Document.position), col(Document.text)
_ann_id, _ann_doc, _ann_who = col(Annotation.id), col(Annotation.document_id), col(Annotation.annotator)
_ann_status, _ann_updated = col(Annotation.status), col(Annotation.updated_at)
_span_id, _span_ann, _span_label = col(Span.id), col(Span.annotation_id), col(Span.label)
_event_id, _event_doc, _event_who, _event_action = (
    col(Event.id),
    col(Event.document_id),
    col(Event.annotator),
    col(Event.action),
)
_status = func.coalesce(_ann_status, Status.pending.value)


def _listed(annotator: str, filters: ListFilters, *columns: Any, keep: int | None = None) -> Select[Any]:
    """SELECT `columns` FROM the documents `filters` show (and the document `keep`, whatever the filters say),
    joined to this annotator's annotation of each (if any)."""
    stmt: Select[Any] = select(*columns).select_from(Document)
    stmt = stmt.outerjoin(Annotation, and_(_ann_doc == _doc_id, _ann_who == annotator))
    stmt = stmt.where(published())  # an import still under way shows when it is published
    shown = _shown(filters)
    if shown and keep is not None:
        return stmt.where(or_(_doc_id == keep, and_(*shown)))
    return stmt.where(*shown)


def _shown(filters: ListFilters) -> list[ColumnElement[bool]]:
    """The conditions of `filters` on a document (joined to the annotator's annotation)."""
    shown = []
    if filters.status is not None:
        shown.append(_status_is(filters.status))
    if filters.label is not None:
        shown.append(select(_span_id).where(_span_ann == _ann_id, _span_label == filters.label).exists())
    if filters.search is not None:
        shown.append(contains_text(_doc_id, _text, filters.search))
    if filters.flag is not None:
        anyone = SQLModel.metadata.tables["annotation"].alias("anyone")  # anyone's annotation, not the joined one
        flagged = (
            select(col(Note.id))
            .join(anyone, anyone.c.id == col(Note.annotation_id))
            .where(anyone.c.document_id == _doc_id, col(Note.flag).is_not(None))
        )
        shown.append((flagged if filters.flag == ANY_FLAG else flagged.where(col(Note.flag) == filters.flag)).exists())
    return shown


def _status_is(status: str) -> ColumnElement[bool]:
    if status == Status.pending.value:  # no annotation row yet is pending too
        return or_(_ann_status.is_(None), _ann_status == status)
    return _ann_status == status


def _after(key: Key) -> ColumnElement[bool]:
    """Rows after `key` in (position, id) order, written so that the position index bounds the scan."""
    position, doc_id = key
    return and_(_position >= position, or_(_position > position, _doc_id > doc_id))


def _through(key: Key) -> ColumnElement[bool]:
    position, doc_id = key
    return and_(_position <= position, or_(_position < position, _doc_id <= doc_id))


_ROW_COLUMNS = (
    _doc_id,
    _position,
    func.substr(_text, 1, PREVIEW_CHARS),
    func.length(_text),
    _status,
)


def document_rows(
    *,
    session: Session,
    annotator: str,
    filters: ListFilters = NO_FILTERS,
    after: Key | None = None,
    through: Key | None = None,
    limit: int | None = 200,
    keep: int | None = None,
) -> list[DocumentRow]:
    """Rows of the document list in project order, with this annotator's status: those after the key `after`
    (None: from the top), up to and including the key `through` (None: no bound), at most `limit` (None: all).

    `keep` is a document id listed even if the filters no longer show it (the one on screen, when the list is
    read again after it was decided under a status filter).
    """
    stmt = _listed(annotator, filters, *_ROW_COLUMNS, keep=keep)
    if after is not None:
        stmt = stmt.where(_after(after))
    if through is not None:
        stmt = stmt.where(_through(through))
    stmt = stmt.order_by(_position, _doc_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [DocumentRow(*row) for row in session.connection().execute(stmt)]


def count_documents(*, session: Session, annotator: str, filters: ListFilters = NO_FILTERS) -> int:
    """How many documents the filters show."""
    sub = _listed(annotator, filters, _doc_id).subquery()
    return int(session.connection().execute(select(func.count()).select_from(sub)).scalar_one())


def listed_key(document_id: int, *, session: Session, annotator: str, filters: ListFilters = NO_FILTERS) -> Key | None:
    """The key of a document if the filters show it, else None (also when it is not in the project)."""
    row = (
        session.connection()
        .execute(_listed(annotator, filters, _position, _doc_id).where(_doc_id == document_id))
        .first()
    )
    return (row[0], row[1]) if row is not None else None


def next_to_do(
    *,
    session: Session,
    annotator: str,
    filters: ListFilters = NO_FILTERS,
    after: Key | None,
    skip: int | None,
    also: ColumnElement[bool] | None = None,
) -> int | None:
    """The first document after the key `after` (None: from the top) that the filters show and that is still to
    do (`ListFilters.to_do`), other than the document `skip`, and meeting `also` (a condition on `document`, e.g.
    shared work's "available to this annotator"); None if there is none. An index range scan on the position
    from `after` on."""
    stmt = _listed(annotator, filters, _doc_id).where(_status_is(filters.to_do))
    if also is not None:
        stmt = stmt.where(also)
    if after is not None:
        stmt = stmt.where(_after(after))
    if skip is not None:
        stmt = stmt.where(_doc_id != skip)
    stmt = stmt.order_by(_position, _doc_id).limit(1)
    found = session.connection().execute(stmt).scalar()
    return int(found) if found is not None else None


def document_key(document_id: int, *, session: Session) -> Key | None:
    """The key of a document in project order, or None if it is not in the project."""
    position = session.connection().execute(select(_position).where(_doc_id == document_id)).scalar()
    return (int(position), document_id) if position is not None else None


@dataclass(frozen=True, order=True)
class ChangeMark:
    """The newest row ids of the tables whose changes a window must show: equal marks mean nothing changed
    (every decision appends an event; every import adds documents)."""

    event: int
    document: int


def newest_change(*, session: Session) -> ChangeMark:
    """The newest event and document ids: two reads of a primary key's largest value (an index look-up on
    SQLite and PostgreSQL alike), cheap enough to poll every second or two."""
    conn = session.connection()
    event = conn.execute(select(func.max(_event_id))).scalar()
    document = conn.execute(select(func.max(_doc_id))).scalar()
    return ChangeMark(int(event or 0), int(document or 0))


def changed_documents(after_event: int, *, session: Session, annotator: str) -> dict[int, str]:
    """{document id: this annotator's status now} of the documents whose events of this annotator came after the
    event id `after_event` (what another window of the same annotator changed, or this one)."""
    changed = (
        select(_event_doc)
        .where(_event_id > after_event, _event_who == annotator, _event_doc.is_not(None))
        .distinct()
        .scalar_subquery()
    )
    stmt = _listed(annotator, NO_FILTERS, _doc_id, _status).where(_doc_id.in_(changed))
    return {int(doc): str(status) for doc, status in session.connection().execute(stmt)}


def project_events_since(after_event: int, *, session: Session) -> bool:
    """Whether events about the project as a whole (no document: an import published) came after the event id
    `after_event`; a window then reads its list again."""
    stmt = select(_event_id).where(_event_id > after_event, _event_doc.is_(None)).limit(1)
    return session.connection().execute(stmt).first() is not None


def last_decision(*, session: Session, annotator: str) -> int | None:
    """The document this annotator decided most recently that is still decided (for "back"), or None."""
    stmt = (
        select(_event_doc)
        .join(Annotation, (_ann_doc == _event_doc) & (_ann_who == _event_who))
        .where(_event_who == annotator, _event_action == "set_status", _ann_status != Status.pending.value)
        .order_by(_event_id.desc())
        .limit(1)
    )
    found = session.connection().execute(stmt).scalar()
    return int(found) if found is not None else None


def decided_since(since: datetime, *, session: Session, annotator: str) -> int:
    """How many documents this annotator has decided (not pending) whose annotation changed since `since`
    (a timezone-aware datetime)."""
    stmt = (
        select(func.count())
        .select_from(Annotation)
        .where(_ann_who == annotator, _ann_status != Status.pending.value, _ann_updated >= since)
    )
    return int(session.connection().execute(stmt).scalar_one())
