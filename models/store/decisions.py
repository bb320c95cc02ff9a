"""Decisions on a document: spans added, removed, changed; its status; suggestions dismissed.

Each public function commits one transaction holding the change, the annotation's new `version` and one `event`
row whose payload says exactly what changed (`events`), and returns that version (`Written`). Pass
`expected_version` to refuse a stale edit made in another window. Statements are built once at import (a
decision's cost was mostly SQLAlchemy building statements on every keystroke). Spans are named by position in
the window's calls (`span_at`): NER spans never overlap, so (document, start, end) names one span of an
annotator at any moment, across undo/redo cycles that re-create rows with new ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, CursorResult, bindparam, delete, insert, select, update
from sqlmodel import Session

from ..db.dialect import bulk_insert, insert_if_missing, lock_event_log, reserve_ids, span_keys
from ..db.tables import ANNOTATION, DISMISSAL, EVENT, SPAN, Origin, Span, Status, utcnow
from ..errors import OverlapError, StaleAnnotationError, TagdeskError
from . import events
from .documents import check_span, text_length
from .members import acted_by, check_write
from .transactions import _IN_CHUNK, _commit

SpanSpec = tuple[int, int, str, str, float | None]  # start, end, label, origin, score


@dataclass(frozen=True)
class Written:
    """What one decision committed: the annotation's `version` after it, and the span it added, removed or
    changed (`span`) or the spans it added (`added`, for `decide`). A window records `version` as the one it has
    seen: reading the version again after the commit could pick up another process's change it never showed."""

    version: int
    span: Span | None = None
    # the rows `decide` inserted: (id, annotation_id, start, end, label, origin, score)
    added_rows: tuple[tuple[Any, ...], ...] = field(default=(), repr=False)

    @cached_property
    def added(self) -> tuple[Span, ...]:
        """The spans `decide` added, made when first read: the window never reads them, and making the 8,333
        Span objects of a long document's accept took 0.6 s, most of that decision's commit."""
        keys = ("id", "annotation_id", "start", "end", "label", "origin", "score")
        return tuple(Span(**dict(zip(keys, row, strict=True))) for row in self.added_rows)


# ---------------------------------------------------------------------------------------------- statements
# FOR UPDATE (PostgreSQL; SQLite's writer already holds the whole database): the annotation's row stays locked
# until this decision commits, so a second writer on the same annotation waits, then sees the new version.
_ANNOTATION_ROW = (
    select(ANNOTATION.c.id, ANNOTATION.c.version)
    .where(ANNOTATION.c.document_id == bindparam("doc"), ANNOTATION.c.annotator == bindparam("who"))
    .with_for_update()
)

# The only span of the annotation that can overlap [start, end): the one with the largest start before `end` (the
# spans of an annotation never overlap each other, so in order of start they are in order of end too; a span with
# a smaller start ends before this one begins). One step backwards on the index (annotation_id, start); whether it
# ends after `start` is checked on the row found: in the query, the database would walk on through every earlier
# span whenever there is no overlap. `ignore` is the span being changed, which may overlap its old place.
_OVERLAP = (
    select(SPAN.c.label, SPAN.c.start, SPAN.c.end)
    .where(
        SPAN.c.annotation_id == bindparam("ann"),
        SPAN.c.start < bindparam("end"),
        SPAN.c.id != bindparam("ignore"),
    )
    .order_by(SPAN.c.start.desc())
    .limit(1)
)

# The version moves only from the one this decision read: a row count of 0 means another writer got there first.
_BUMP_VERSION = (
    update(ANNOTATION)
    .where(ANNOTATION.c.id == bindparam("ann"), ANNOTATION.c.version == bindparam("expected"))
    .values(version=ANNOTATION.c.version + 1, updated_at=bindparam("now"))
)

_SPAN_ROW = (
    select(
        SPAN.c.id,
        SPAN.c.annotation_id,
        SPAN.c.start,
        SPAN.c.end,
        SPAN.c.label,
        SPAN.c.origin,
        SPAN.c.score,
        ANNOTATION.c.annotator,
        ANNOTATION.c.version,
        ANNOTATION.c.document_id,
    )
    .join(ANNOTATION, ANNOTATION.c.id == SPAN.c.annotation_id)
    .where(SPAN.c.id == bindparam("span"))
    .with_for_update(of=ANNOTATION)  # as _ANNOTATION_ROW: the version read stays true until commit
)

_SPAN_ROWS = select(SPAN.c.id, SPAN.c.start, SPAN.c.end, SPAN.c.label, SPAN.c.origin, SPAN.c.score)

_INSERT_SPAN = insert(SPAN)

_DELETE_SPAN = delete(SPAN).where(SPAN.c.id == bindparam("span"))

_UPDATE_SPAN = (
    update(SPAN)
    .where(SPAN.c.id == bindparam("span"))
    .values(start=bindparam("start"), end=bindparam("end"), label=bindparam("label"))
)

_SET_STATUS = (
    update(ANNOTATION)
    .where(ANNOTATION.c.id == bindparam("ann"))
    .values(status=bindparam("status"), seconds_spent=ANNOTATION.c.seconds_spent + bindparam("seconds"))
)

_INSERT_EVENT = insert(EVENT)


# ---------------------------------------------------------------------------------------------- helpers
_STATUS = select(ANNOTATION.c.status).where(ANNOTATION.c.id == bindparam("ann"))


def _annotation_row(
    conn: Connection, document_id: int, annotator: str, expected_version: int | None
) -> tuple[int, int]:
    """(id, version) of this annotator's annotation of a document, created when missing, locked until commit;
    refuses a stale edit."""
    row = conn.execute(_ANNOTATION_ROW, {"doc": document_id, "who": annotator}).first()
    if row is None:
        if expected_version:
            raise StaleAnnotationError(document_id, expected_version, 0)
        # ON CONFLICT: another desktop may create the same annotation at this moment; then we use (and lock) theirs
        conn.execute(
            insert_if_missing(conn, ANNOTATION, ("document_id", "annotator")),
            {
                "document_id": document_id,
                "annotator": annotator,
                "status": Status.pending.value,
                "seconds_spent": 0.0,
                "updated_at": utcnow(),
                "version": 0,
            },
        )
        row = conn.execute(_ANNOTATION_ROW, {"doc": document_id, "who": annotator}).one()
    if expected_version is not None and expected_version != row.version:
        raise StaleAnnotationError(document_id, expected_version, row.version)
    return int(row.id), int(row.version)


def _refuse_overlap_row(
    conn: Connection, annotation_id: int, start: int, end: int, ignore_id: int | None = None
) -> None:
    other = conn.execute(
        _OVERLAP, {"ann": annotation_id, "end": end, "ignore": -1 if ignore_id is None else ignore_id}
    ).first()
    if other is not None and other.end > start:
        raise OverlapError(
            f"{start}-{end} overlaps the {other.label} span at {other.start}-{other.end}; "
            "entities cannot overlap: remove or shrink that one first",
            span=(start, end),
            other=(other.label, other.start, other.end),
        )


def _touch_row(
    conn: Connection,
    annotation_id: int,
    version: int,
    *,
    annotator: str,
    document_id: int,
    action: str,
    payload: dict[str, Any],
) -> int:
    """Bump the annotation's version from `version` and append the event with the new version in its payload, in
    the caller's transaction. Returns the new version; raises StaleAnnotationError if another writer moved it
    first."""
    now = utcnow()
    bumped = conn.execute(_BUMP_VERSION, {"ann": annotation_id, "expected": version, "now": now}).rowcount
    if bumped != 1:
        found = conn.execute(select(ANNOTATION.c.version).where(ANNOTATION.c.id == annotation_id)).scalar() or 0
        raise StaleAnnotationError(document_id, version, found)
    lock_event_log(conn)
    conn.execute(
        _INSERT_EVENT,
        {
            "at": now,
            "annotator": annotator,
            "document_id": document_id,
            "action": action,
            "payload": {**payload, "version": version + 1},
        },
    )
    return version + 1


def _new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _span_row(conn: Connection, span_id: int, annotator: str, expected_version: int | None) -> Any:
    row = conn.execute(_SPAN_ROW, {"span": span_id}).first()
    if row is None:
        raise TagdeskError(f"span {span_id} no longer exists (removed in another window?)")
    if row.annotator != annotator:
        raise TagdeskError(f"span {span_id} belongs to {row.annotator}, not {annotator}")
    if expected_version is not None and row.version != expected_version:
        raise StaleAnnotationError(row.document_id, expected_version, row.version)
    return row


def _insert_span(conn: Connection, annotation_id: int, spec: SpanSpec) -> Span:
    start, end, label, origin, score = spec
    values = {"annotation_id": annotation_id, "start": start, "end": end, "label": label, "origin": origin}
    span_id = _new_id(conn.execute(_INSERT_SPAN, {**values, "score": score}))
    return Span(id=span_id, annotation_id=annotation_id, start=start, end=end, label=label, origin=origin, score=score)


def _set_dismissal_rows(
    conn: Connection, annotation_id: int, items: Iterable[tuple[int, int, str]], dismissed: bool
) -> list[tuple[int, int, str]]:
    """Record (or forget) dismissals of suggestions for one annotation; does not commit. Returns what changed."""
    changed = []
    for start, end, label in items:
        key = {"annotation_id": annotation_id, "start": start, "end": end, "label": label}
        if dismissed:
            stmt = insert_if_missing(conn, DISMISSAL, ("annotation_id", "start", "end", "label"))
            count = conn.execute(stmt, {**key, "at": utcnow()}).rowcount
        else:
            count = conn.execute(
                delete(DISMISSAL).where(
                    DISMISSAL.c.annotation_id == annotation_id,
                    DISMISSAL.c.start == start,
                    DISMISSAL.c.end == end,
                    DISMISSAL.c.label == label,
                )
            ).rowcount
        if count:
            changed.append((start, end, label))
    return changed


def _spec(row: Any) -> SpanSpec:
    """(start, end, label, origin, score) of a span row or object."""
    return row.start, row.end, row.label, row.origin, row.score


# ---------------------------------------------------------------------------------------------- span edits
def add_span(
    document_id: int,
    start: int,
    end: int,
    label: str,
    *,
    session: Session,
    annotator: str,
    origin: str = Origin.human.value,
    score: float | None = None,
    expected_version: int | None = None,
    undismiss: Iterable[tuple[int, int, str]] = (),
) -> Written:
    """Add one span and commit; returns the new version and the span. Raises OverlapError if it overlaps another
    span of this annotator.

    `undismiss` (start, end, label) forgets those suggestion dismissals in the same transaction (the undo of a
    `remove_span(..., dismiss=...)`)."""
    check_write(annotator, session=session)
    check_span(text_length(document_id, session=session), start, end, label)
    conn = session.connection()
    ann_id, version = _annotation_row(conn, document_id, annotator, expected_version)
    _refuse_overlap_row(conn, ann_id, start, end)
    span = _insert_span(conn, ann_id, (start, end, label, origin, score))
    restored = _set_dismissal_rows(conn, ann_id, undismiss, False)
    payload = {**events.add_span(_spec(span), undismissed=restored), **acted_by(annotator, session=session)}
    written = _touch_row(
        conn, ann_id, version, annotator=annotator, document_id=document_id, action="add_span", payload=payload
    )
    _commit(session)
    return Written(written, span)


def remove_span(
    span_id: int,
    *,
    session: Session,
    annotator: str,
    expected_version: int | None = None,
    dismiss: Iterable[tuple[int, int, str]] = (),
) -> Written:
    """Remove one span and commit. Returns the new version and the removed span (detached) so it can be restored.

    `dismiss` (start, end, label) records those suggestions as rejected in the same transaction: deleting a span
    that hid the model's suggestions means "no entity here", so they must not come back."""
    check_write(annotator, session=session)
    conn = session.connection()
    row = _span_row(conn, span_id, annotator, expected_version)
    conn.execute(_DELETE_SPAN, {"span": span_id})
    dismissed = _set_dismissal_rows(conn, row.annotation_id, dismiss, True)
    payload = {**events.remove_span(_spec(row), dismissed=dismissed), **acted_by(annotator, session=session)}
    written = _touch_row(
        conn,
        row.annotation_id,
        row.version,
        annotator=annotator,
        document_id=row.document_id,
        action="remove_span",
        payload=payload,
    )
    _commit(session)
    start, end, label, origin, score = _spec(row)
    removed = Span(
        id=row.id, annotation_id=row.annotation_id, start=start, end=end, label=label, origin=origin, score=score
    )
    return Written(written, removed)


def update_span(
    span_id: int,
    *,
    session: Session,
    annotator: str,
    start: int | None = None,
    end: int | None = None,
    label: str | None = None,
    expected_version: int | None = None,
) -> Written:
    """Relabel or resize one span and commit; returns the new version and the span as it is now."""
    check_write(annotator, session=session)
    conn = session.connection()
    row = _span_row(conn, span_id, annotator, expected_version)
    new_start = row.start if start is None else start
    new_end = row.end if end is None else end
    new_label = row.label if label is None else label
    check_span(text_length(row.document_id, session=session), new_start, new_end, new_label)
    _refuse_overlap_row(conn, row.annotation_id, new_start, new_end, ignore_id=span_id)
    conn.execute(_UPDATE_SPAN, {"span": span_id, "start": new_start, "end": new_end, "label": new_label})
    after: SpanSpec = (new_start, new_end, new_label, row.origin, row.score)
    payload = {**events.update_span(_spec(row), after), **acted_by(annotator, session=session)}
    written = _touch_row(
        conn,
        row.annotation_id,
        row.version,
        annotator=annotator,
        document_id=row.document_id,
        action="update_span",
        payload=payload,
    )
    _commit(session)
    changed = Span(
        id=span_id,
        annotation_id=row.annotation_id,
        start=new_start,
        end=new_end,
        label=new_label,
        origin=row.origin,
        score=row.score,
    )
    return Written(written, changed)


# ---------------------------------------------------------------------------------------------- document status
def decide(
    document_id: int,
    status: Status | str,
    *,
    session: Session,
    annotator: str,
    add_spans: Iterable[SpanSpec] = (),
    remove_spans: Iterable[tuple[int, int]] = (),
    seconds: float = 0.0,
    expected_version: int | None = None,
) -> Written:
    """Set a document's status, adding `add_spans` (start, end, label, origin, score) and removing the spans at
    `remove_spans` (start, end), in one committed transaction with one `set_status` event.

    Returns the new version and the spans added. Accepting a document adds its pending suggestions; undoing that
    removes them again and restores the previous status. Raises OverlapError (nothing written) on an overlap.
    """
    check_write(annotator, session=session)
    status = Status(status).value
    length = text_length(document_id, session=session)
    conn = session.connection()
    ann_id, version = _annotation_row(conn, document_id, annotator, expected_version)
    before = conn.execute(_STATUS, {"ann": ann_id}).scalar_one()
    add = list(add_spans)
    try:
        removed, added = _replace_spans(conn, ann_id, length, list(remove_spans), add)
    except TagdeskError:
        session.rollback()
        raise
    conn.execute(_SET_STATUS, {"ann": ann_id, "status": status, "seconds": seconds})
    payload = events.set_status(status, before=before, added=add, removed=removed, seconds=seconds) | acted_by(
        annotator, session=session
    )
    written = _touch_row(
        conn, ann_id, version, annotator=annotator, document_id=document_id, action="set_status", payload=payload
    )
    _commit(session)
    return Written(written, added_rows=added)


def _replace_spans(
    conn: Connection, ann_id: int, length: int, remove: list[tuple[int, int]], add: list[SpanSpec]
) -> tuple[list[SpanSpec], tuple[tuple[Any, ...], ...]]:
    """Remove the spans at `remove` (start, end) and add `add`, in the caller's transaction, with a cost that does
    not grow per span (accepting a long document's thousands of suggestions is one decision): the annotation's
    spans read once, overlaps checked in one pass over them sorted, deletes and inserts in bulk, rows handled as
    tuples (no object per span). Returns (the removed spans' specs, the added rows: id, annotation_id, start, end,
    label, origin, score). Raises OverlapError or TagdeskError before writing."""
    for spec in add:
        check_span(length, spec[0], spec[1], spec[2])
    if not remove and not add:
        return [], ()
    rows = span_keys(conn, ann_id)  # (id, start, end, label)
    at = {(row[1], row[2]): row[0] for row in rows}
    ids = [at[key] for key in dict.fromkeys(remove) if key in at]
    gone_ids = set(ids)
    kept = [row[1:] for row in rows if row[0] not in gone_ids]
    _refuse_overlaps(kept, [(spec[0], spec[1], spec[2]) for spec in add])
    whole: dict[int, Any] = {}
    for i in range(0, len(ids), _IN_CHUNK):  # the removed spans with their origin and score, for undo and events
        whole.update((row[0], row) for row in conn.execute(_SPAN_ROWS.where(SPAN.c.id.in_(ids[i : i + _IN_CHUNK]))))
    gone = [whole[span_id] for span_id in ids]
    for i in range(0, len(ids), _IN_CHUNK):
        conn.execute(delete(SPAN).where(SPAN.c.id.in_(ids[i : i + _IN_CHUNK])))
    new_ids = reserve_ids(conn, SPAN, len(add))
    added = tuple((span_id, ann_id, *spec) for span_id, spec in zip(new_ids, add, strict=True))
    bulk_insert(conn, SPAN, added, ("id", "annotation_id", "start", "end", "label", "origin", "score"))
    return [row[1:] for row in gone], added


def _refuse_overlaps(kept: list[tuple[int, int, str]], new: list[tuple[int, int, str]]) -> None:
    """Raise OverlapError for the first new span (in reading order) that overlaps a kept span or another new one."""
    if not new:
        return
    marked = sorted([(a, b, lab, False) for a, b, lab in kept] + [(a, b, lab, True) for a, b, lab in new])
    for (a1, b1, lab1, new1), (a2, b2, lab2, new2) in zip(marked, marked[1:], strict=False):
        if a2 < b1 and (new1 or new2):
            (start, end), (olab, ostart, oend) = ((a2, b2), (lab1, a1, b1)) if new2 else ((a1, b1), (lab2, a2, b2))
            raise OverlapError(
                f"{start}-{end} overlaps the {olab} span at {ostart}-{oend}; "
                "entities cannot overlap: remove or shrink that one first",
                span=(start, end),
                other=(olab, ostart, oend),
            )


def set_status(
    document_id: int,
    status: Status | str,
    *,
    session: Session,
    annotator: str,
    add_spans: Iterable[SpanSpec] = (),
    seconds: float = 0.0,
    expected_version: int | None = None,
) -> Written:
    """Record a decision on a document and commit, adding `add_spans` (start, end, label, origin, score) first,
    e.g. the pending suggestions an "accept" turns into spans. (`decide` without removals.)"""
    return decide(
        document_id,
        status,
        session=session,
        annotator=annotator,
        add_spans=add_spans,
        seconds=seconds,
        expected_version=expected_version,
    )


# ---------------------------------------------------------------------------------------------- dismissals
def dismiss_suggestion(
    document_id: int,
    start: int,
    end: int,
    label: str,
    *,
    session: Session,
    annotator: str,
    expected_version: int | None = None,
) -> Written:
    """Remember that this annotator rejected one suggested span, so it is not shown again; commit. Returns the
    new version."""
    return _dismissal(
        document_id, (start, end, label), True, session=session, annotator=annotator, expected_version=expected_version
    )


def restore_suggestion(
    document_id: int,
    start: int,
    end: int,
    label: str,
    *,
    session: Session,
    annotator: str,
    expected_version: int | None = None,
) -> Written:
    """Forget a dismissal (undo of `dismiss_suggestion`); commit. Returns the new version."""
    return _dismissal(
        document_id, (start, end, label), False, session=session, annotator=annotator, expected_version=expected_version
    )


def _dismissal(
    document_id: int,
    item: tuple[int, int, str],
    dismissed: bool,
    *,
    session: Session,
    annotator: str,
    expected_version: int | None,
) -> Written:
    check_write(annotator, session=session)
    text_length(document_id, session=session)  # raises if the document is gone
    conn = session.connection()
    ann_id, version = _annotation_row(conn, document_id, annotator, expected_version)
    _set_dismissal_rows(conn, ann_id, [item], dismissed)
    written = _touch_row(
        conn,
        ann_id,
        version,
        annotator=annotator,
        document_id=document_id,
        action="dismiss_suggestion" if dismissed else "restore_suggestion",
        payload=events.dismissal(item) | acted_by(annotator, session=session),
    )
    _commit(session)
    return Written(written)
