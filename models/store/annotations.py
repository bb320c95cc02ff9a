"""Reading one annotator's annotation of a document: its row, its spans, its dismissed suggestions.

Rows come back as detached table objects (or plain tuples where a document can have thousands of spans); nothing
here writes.
"""

from __future__ import annotations

from operator import itemgetter, lt

from sqlalchemy import bindparam, select
from sqlmodel import Session

from ..db.tables import ANNOTATION, DISMISSAL, SPAN, Annotation, Span

_ANNOTATION = select(ANNOTATION).where(
    ANNOTATION.c.document_id == bindparam("doc"), ANNOTATION.c.annotator == bindparam("who")
)
_SPANS = (
    select(SPAN.c.id, SPAN.c.annotation_id, SPAN.c.start, SPAN.c.end, SPAN.c.label, SPAN.c.origin, SPAN.c.score)
    .join(ANNOTATION, ANNOTATION.c.id == SPAN.c.annotation_id)
    .where(ANNOTATION.c.document_id == bindparam("doc"), ANNOTATION.c.annotator == bindparam("who"))
    .order_by(SPAN.c.start, SPAN.c.end)
)
_SPAN_ROWS = (  # span_tuples' columns: the same spans, put in order by span_tuples (no ORDER BY)
    select(SPAN.c.id, SPAN.c.start, SPAN.c.end, SPAN.c.label, SPAN.c.origin, SPAN.c.score)
    .join(ANNOTATION, ANNOTATION.c.id == SPAN.c.annotation_id)
    .where(ANNOTATION.c.document_id == bindparam("doc"), ANNOTATION.c.annotator == bindparam("who"))
)
_START, _START_END = itemgetter(1), itemgetter(1, 2)  # of a span_tuples row
_DISMISSALS = (
    select(DISMISSAL.c.start, DISMISSAL.c.end, DISMISSAL.c.label)
    .join(ANNOTATION, ANNOTATION.c.id == DISMISSAL.c.annotation_id)
    .where(ANNOTATION.c.document_id == bindparam("doc"), ANNOTATION.c.annotator == bindparam("who"))
)


def get_annotation(document_id: int, *, session: Session, annotator: str) -> Annotation | None:
    """This annotator's annotation of a document, or None before their first edit."""
    row = session.connection().execute(_ANNOTATION, {"doc": document_id, "who": annotator}).first()
    return None if row is None else Annotation(**row._mapping)


def annotation_version(document_id: int, *, session: Session, annotator: str) -> int:
    """The version of this annotator's annotation of a document (0 before the first edit)."""
    ann = get_annotation(document_id, session=session, annotator=annotator)
    return ann.version if ann else 0


def spans_of(document_id: int, *, session: Session, annotator: str) -> list[Span]:
    """This annotator's spans of a document, in reading order."""
    rows = session.connection().execute(_SPANS, {"doc": document_id, "who": annotator})
    return [Span(**row._mapping) for row in rows]


def span_at(document_id: int, start: int, end: int, *, session: Session, annotator: str) -> Span | None:
    """This annotator's span of a document exactly at `start`-`end`, or None."""
    stmt = _SPANS.where(SPAN.c.start == start, SPAN.c.end == end)
    row = session.connection().execute(stmt, {"doc": document_id, "who": annotator}).first()
    return None if row is None else Span(**row._mapping)


def span_tuples(
    document_id: int, *, session: Session, annotator: str
) -> list[tuple[int, int, int, str, str, float | None]]:
    """(id, start, end, label, origin, score) of this annotator's spans, in reading order; no table objects
    (a 1 MB article has ~8,000 spans: fetched all at once and unpacked by position, 12 ms where reading each row's
    attributes took 42).

    The driver's own rows are returned (plain tuples, none of SQLAlchemy's Row objects to make and convert:
    the columns need no conversion), and put in order here rather than by the database: SQLite returns them
    through the annotation index, in the order they were stored, which for spans stored in reading order
    (an import, an accepted document) is already the right one, checked at C speed. A sort by the database
    (a temporary B-tree) took ~3.5 ms of the ~16 of the fetch for 8,000 spans."""
    result = session.connection().execute(_SPAN_ROWS, {"doc": document_id, "who": annotator})
    try:
        rows: list[tuple[int, int, int, str, str, float | None]] = list(result.cursor.fetchall())
    finally:
        result.close()
    starts = list(map(_START, rows))
    if not all(map(lt, starts, starts[1:])):
        rows.sort(key=_START_END)
    return rows


def dismissals_of(document_id: int, *, session: Session, annotator: str) -> set[tuple[int, int, str]]:
    """The (start, end, label) of suggestions this annotator dismissed in a document."""
    rows = session.connection().execute(_DISMISSALS, {"doc": document_id, "who": annotator})
    return {(r.start, r.end, r.label) for r in rows}
