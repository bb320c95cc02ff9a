"""The document list's reads: filtered rows without full texts, paged by key; their count; the next document
still to do (the queue); the newest change (what other windows watch); the annotator's decisions.

Rows are paged by key, greater than the last row loaded, never by OFFSET: deciding documents under a status filter
shrinks the result, and an offset would then skip (or repeat) as many rows as changed. Two sorts (`ListFilters.order`):
project order, key `(position, id)`; and most uncertain first, key `(-rank, position, id)`, where a document's rank
is the uncertainty stored with its suggestions under `ListFilters.model` (-1 when not scored: those come last, in
project order). The queue's "next" and `tagdesk queue --order uncertain` read the same order through these
functions. Every query here is plain SQLAlchemy Core that SQLite and PostgreSQL both run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_
from sqlmodel import Session, SQLModel, col, select

from ..db.dialect import contains_text
from ..db.tables import Annotation, Document, Event, Note, Span, Status, Suggestion
from .imports import published

PREVIEW_CHARS = 120
ANY_FLAG = "any"  # the flag filter's value for "flagged at all"

# A row's place in the list's order: (position, id) in project order (positions may tie after a merge);
# (-rank, position, id) most uncertain first. Keys of one list compare in the order it shows its rows.
Key = tuple[float, ...]
ORDERS = ("position", "uncertain")
NOT_SCORED = -1.0  # the rank of a document whose suggestions have no uncertainty (yet): after every scored one


@dataclass(frozen=True)
class ListFilters:
    """What the document list shows: one status (None: all), documents with a span of one label, a text search
    (Unicode case folding), documents flagged by anyone (a reviewer looks at every annotator's flags; `ANY_FLAG`:
    any flag). Empty strings mean "no filter". `order`: "position" (project order) or "uncertain" (most uncertain
    first under the suggestions of the model key `model`)."""

    status: str | None = None
    label: str | None = None
    search: str | None = None
    flag: str | None = None
    order: str = "position"
    model: str | None = None

    def __post_init__(self) -> None:
        for name in ("status", "label", "search", "flag", "model"):
            value = getattr(self, name)
            object.__setattr__(self, name, value.strip() if isinstance(value, str) and value.strip() else None)
        if self.status is not None:
            object.__setattr__(self, "status", Status(self.status).value)
        if self.order not in ORDERS:
            raise ValueError(f"unknown list order {self.order!r}; known: {', '.join(ORDERS)}")
        if self.order == "position":
            object.__setattr__(self, "model", None)

    def sorted_by(self, order: str, model: str | None = None) -> ListFilters:
        """The same filters in another order ("uncertain": under the suggestions of the model key `model`)."""
        return replace(self, order=order, model=model)

    def unfiltered(self) -> ListFilters:
        """No filter, the same order (the key of a document listed whatever the filters say)."""
        return ListFilters(order=self.order, model=self.model)

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
    rank: float | None = None  # most uncertain first: the uncertainty it is sorted by (NOT_SCORED: none)

    @property
    def key(self) -> Key:
        return (self.position, self.id) if self.rank is None else (-self.rank, self.position, self.id)


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
_sugg_doc, _sugg_model = col(Suggestion.document_id), col(Suggestion.model)
_uncertainty = col(Suggestion.uncertainty)
_rank = func.coalesce(_uncertainty, NOT_SCORED)


def _listed(
    annotator: str, filters: ListFilters, *columns: Any, keep: int | None = None, scored: bool | None = None
) -> Select[Any]:
    """SELECT `columns` FROM the documents `filters` show (and the document `keep`, whatever the filters say),
    joined to this annotator's annotation of each (if any). Most uncertain first, `scored` True keeps only the
    documents with an uncertainty under the list's model (joined to that suggestion, so its index orders them),
    False only those without; None both."""
    stmt: Select[Any] = select(*columns).select_from(Document)
    stmt = stmt.outerjoin(Annotation, and_(_ann_doc == _doc_id, _ann_who == annotator))
    if filters.order == "uncertain":  # at most one row: (document_id, model) is unique
        on = and_(_sugg_doc == _doc_id, _sugg_model == (filters.model or ""))
        if scored:
            stmt = stmt.join(Suggestion, on).where(_uncertainty.is_not(None))
        else:
            stmt = stmt.outerjoin(Suggestion, on)
            if scored is False:
                stmt = stmt.where(_uncertainty.is_(None))
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


def _after(key: tuple[int, int]) -> ColumnElement[bool]:
    """Rows after the key (position, id) in project order, written so that the position index bounds the scan."""
    position, doc_id = key
    return and_(_position >= position, or_(_position > position, _doc_id > doc_id))


def _through(key: tuple[int, int]) -> ColumnElement[bool]:
    position, doc_id = key
    return and_(_position <= position, or_(_position < position, _doc_id <= doc_id))


def _in_order(
    annotator: str,
    filters: ListFilters,
    *columns: Any,
    keep: int | None = None,
    after: Key | None = None,
    through: Key | None = None,
) -> list[Select[Any]]:
    """The documents `filters` show after the key `after` and through the key `through` (None: no bound), as
    statements whose rows, read one statement after the other, come in the list's order; the rank is added as
    the last column most uncertain first.

    Most uncertain first is two reads: the scored documents by their suggestion's (model, uncertainty) index,
    from the key's uncertainty down (a page reads about a page of rows), then the unscored ones in project order
    by the position index. One statement ordered by the coalesced rank would sort every document for each page."""
    if filters.order != "uncertain":
        stmt = _listed(annotator, filters, *columns, keep=keep)
        if after is not None:
            stmt = stmt.where(_after((int(after[0]), int(after[1]))))
        if through is not None:
            stmt = stmt.where(_through((int(through[0]), int(through[1]))))
        return [stmt.order_by(_position, _doc_id)]
    parts = []
    after_rank = None if after is None else -after[0]
    through_rank = None if through is None else -through[0]
    if after_rank is None or after_rank > NOT_SCORED:  # scored ones may follow `after`
        stmt = _listed(annotator, filters, *columns, _uncertainty, keep=keep, scored=True)
        if after is not None and after_rank is not None:
            place = (int(after[1]), int(after[2]))
            stmt = stmt.where(_uncertainty <= after_rank, or_(_uncertainty < after_rank, _after(place)))
        if through is not None and through_rank is not None and through_rank > NOT_SCORED:
            place = (int(through[1]), int(through[2]))
            stmt = stmt.where(_uncertainty >= through_rank, or_(_uncertainty > through_rank, _through(place)))
        parts.append(stmt.order_by(_uncertainty.desc(), _position, _doc_id))
    if through_rank is None or through_rank == NOT_SCORED:  # unscored ones may come before `through`
        stmt = _listed(annotator, filters, *columns, literal(NOT_SCORED), keep=keep, scored=False)
        if after is not None and after_rank == NOT_SCORED:
            stmt = stmt.where(_after((int(after[1]), int(after[2]))))
        if through is not None:
            stmt = stmt.where(_through((int(through[1]), int(through[2]))))
        parts.append(stmt.order_by(_position, _doc_id))
    return parts


def _key_columns(filters: ListFilters) -> tuple[Any, ...]:
    """What a row's key is made of, in `DocumentRow.key`'s order (the rank last)."""
    return (_position, _doc_id, _rank) if filters.order == "uncertain" else (_position, _doc_id)


def _key(row: Any) -> Key:
    return (int(row[0]), int(row[1])) if len(row) == 2 else (-float(row[2]), int(row[0]), int(row[1]))


_ROW_COLUMNS = (
    _doc_id,
    _position,
    func.substr(_text, 1, PREVIEW_CHARS),
    col(Document.length),  # stored: length(text) reads every text of the page to the end on SQLite
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
    """Rows of the document list in its order (`filters.order`), with this annotator's status: those after the key
    `after` (None: from the top), up to and including the key `through` (None: no bound), at most `limit` (None:
    all).

    `keep` is a document id listed even if the filters no longer show it (the one on screen, when the list is
    read again after it was decided under a status filter).
    """
    rows: list[DocumentRow] = []
    for stmt in _in_order(annotator, filters, *_ROW_COLUMNS, keep=keep, after=after, through=through):
        if limit is not None:
            if len(rows) >= limit:
                break
            stmt = stmt.limit(limit - len(rows))
        rows.extend(DocumentRow(*row) for row in session.connection().execute(stmt))
    return rows


def count_documents(*, session: Session, annotator: str, filters: ListFilters = NO_FILTERS) -> int:
    """How many documents the filters show."""
    sub = _listed(annotator, filters, _doc_id).subquery()
    return int(session.connection().execute(select(func.count()).select_from(sub)).scalar_one())


def listed_key(document_id: int, *, session: Session, annotator: str, filters: ListFilters = NO_FILTERS) -> Key | None:
    """The key of a document (in the list's order) if the filters show it, else None (also when it is not in the
    project)."""
    stmt = _listed(annotator, filters, *_key_columns(filters)).where(_doc_id == document_id)
    row = session.connection().execute(stmt).first()
    return _key(row) if row is not None else None


def next_to_do(
    *,
    session: Session,
    annotator: str,
    filters: ListFilters = NO_FILTERS,
    after: Key | None,
    skip: int | None,
    also: ColumnElement[bool] | None = None,
) -> int | None:
    """The first document, in the list's order, after the key `after` (None: from the top) that the filters show
    and that is still to do (`ListFilters.to_do`), other than the document `skip`, and meeting `also` (a condition
    on `document`, e.g. shared work's "available to this annotator"); None if there is none. In project order an
    index range scan on the position from `after` on."""
    conditions = [_status_is(filters.to_do)]
    if also is not None:
        conditions.append(also)
    if skip is not None:
        conditions.append(_doc_id != skip)
    for stmt in _in_order(annotator, filters, _doc_id, after=after):
        found = session.connection().execute(stmt.where(*conditions).limit(1)).scalar()
        if found is not None:
            return int(found)
    return None


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
