"""Decisions on a document: spans added, removed, changed; its status; suggestions dismissed.

Each public function commits one transaction holding the change, the annotation's new `version` and one `event`
row (DESIGN.md invariant 3). Pass `expected_version` to refuse a stale edit made in another window. Statements
are built once at import (a decision's cost was mostly SQLAlchemy building statements on every keystroke).
Spans are named by position in the window's calls (`span_at`): NER spans never overlap, so (document, start, end)
names one span of an annotator at any moment, across undo/redo cycles that re-create rows with new ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy import delete as _delete
from sqlmodel import Session, select

from ..db.dialect import insert_if_missing, lock_event_log
from ..db.tables import Annotation, Dismissal, Event, Origin, Span, Status, utcnow
from ..errors import OverlapError, StaleAnnotationError, TagdeskError
from .documents import check_span, text_length
from .members import acted_by, check_write
from .transactions import _commit


@dataclass(frozen=True)
class Written:
    """What one decision committed: the annotation's `version` after it, and the span it added, removed or
    changed (`span`) or the spans it added (`added`, for `decide`). A window records `version` as the one it has
    seen: reading the version again after the commit could pick up another process's change it never showed."""

    version: int
    span: Span | None = None
    added: tuple[Span, ...] = ()


def get_annotation(document_id: int, *, session: Session, annotator: str) -> Annotation | None:
    return session.exec(
        select(Annotation).where(Annotation.document_id == document_id, Annotation.annotator == annotator)
    ).first()


def annotation_version(document_id: int, *, session: Session, annotator: str) -> int:
    """The version of this annotator's annotation of a document (0 before the first edit): a window passes it
    back as `expected_version` to find out whether another window changed the document meanwhile."""
    version = session.exec(
        select(Annotation.version).where(Annotation.document_id == document_id, Annotation.annotator == annotator)
    ).first()
    return version or 0


def spans_of(document_id: int, *, session: Session, annotator: str) -> list[Span]:
    """This annotator's spans of a document, in reading order."""
    stmt = (
        select(Span)
        .join(Annotation, Annotation.id == Span.annotation_id)
        .where(Annotation.document_id == document_id, Annotation.annotator == annotator)
        .order_by(Span.start, Span.end)
    )
    return list(session.exec(stmt).all())


def span_at(document_id: int, start: int, end: int, *, session: Session, annotator: str) -> Span | None:
    """This annotator's span of a document exactly at `start`-`end`, or None."""
    stmt = (
        select(Span)
        .join(Annotation, Annotation.id == Span.annotation_id)
        .where(
            Annotation.document_id == document_id,
            Annotation.annotator == annotator,
            Span.start == start,
            Span.end == end,
        )
    )
    return session.exec(stmt).first()


def span_tuples(
    document_id: int, *, session: Session, annotator: str
) -> list[tuple[int, int, int, str, str, float | None]]:
    """(id, start, end, label, origin, score) of this annotator's spans, in reading order; no ORM objects
    (a 1 MB article has ~16,000 spans)."""
    stmt = (
        select(Span.id, Span.start, Span.end, Span.label, Span.origin, Span.score)
        .join(Annotation, Annotation.id == Span.annotation_id)
        .where(Annotation.document_id == document_id, Annotation.annotator == annotator)
        .order_by(Span.start, Span.end)
    )
    return [tuple(row) for row in session.exec(stmt).all()]


def dismissals_of(document_id: int, *, session: Session, annotator: str) -> set[tuple[int, int, str]]:
    """The (start, end, label) of suggestions this annotator dismissed in a document."""
    stmt = (
        select(Dismissal.start, Dismissal.end, Dismissal.label)
        .join(Annotation, Annotation.id == Dismissal.annotation_id)
        .where(Annotation.document_id == document_id, Annotation.annotator == annotator)
    )
    return {tuple(row) for row in session.exec(stmt).all()}


# FOR UPDATE (PostgreSQL; SQLite's writer already holds the whole database): the annotation's row stays locked
# until this decision commits, so a second writer on the same annotation waits, then sees the new version.
_ANNOTATION_ROW = (
    select(Annotation.id, Annotation.version)
    .where(Annotation.document_id == bindparam("doc"), Annotation.annotator == bindparam("who"))
    .with_for_update()
)


_OVERLAP = (
    select(Span.label, Span.start, Span.end)
    .where(
        Span.annotation_id == bindparam("ann"),
        Span.start < bindparam("end"),
        Span.end > bindparam("start"),
        Span.id != bindparam("ignore"),
    )
    .limit(1)
)


# The version moves only from the one this decision read: a row count of 0 means another writer got there first.
_BUMP_VERSION = (
    update(Annotation)
    .where(Annotation.id == bindparam("ann"), Annotation.version == bindparam("expected"))
    .values(version=Annotation.version + 1, updated_at=bindparam("now"))
)


_SPAN_ROW = (
    select(
        Span.id,
        Span.annotation_id,
        Span.start,
        Span.end,
        Span.label,
        Span.origin,
        Span.score,
        Annotation.annotator,
        Annotation.version,
        Annotation.document_id,
    )
    .join(Annotation, Annotation.id == Span.annotation_id)
    .where(Span.id == bindparam("span"))
    .with_for_update(of=Annotation)  # as _ANNOTATION_ROW: the version read stays true until commit
)


_DELETE_SPAN = _delete(Span).where(Span.id == bindparam("span"))


_UPDATE_SPAN = (
    update(Span)
    .where(Span.id == bindparam("span"))
    .values(start=bindparam("start"), end=bindparam("end"), label=bindparam("label"))
)


def _annotation_row(conn, document_id: int, annotator: str, expected_version: int | None) -> tuple[int, int]:
    """(id, version) of this annotator's annotation of a document, created when missing, locked until commit;
    refuses a stale edit."""
    row = conn.execute(_ANNOTATION_ROW, {"doc": document_id, "who": annotator}).first()
    if row is None:
        if expected_version:
            raise StaleAnnotationError(document_id, expected_version, 0)
        # ON CONFLICT: another desktop may create the same annotation at this moment; then we use (and lock) theirs
        conn.execute(
            insert_if_missing(conn, Annotation.__table__, ("document_id", "annotator")),
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
    return row.id, row.version


def _refuse_overlap_row(conn, annotation_id: int, start: int, end: int, ignore_id: int | None = None) -> None:
    other = conn.execute(
        _OVERLAP, {"ann": annotation_id, "start": start, "end": end, "ignore": -1 if ignore_id is None else ignore_id}
    ).first()
    if other is not None:
        raise OverlapError(
            f"{start}-{end} overlaps the {other.label} span at {other.start}-{other.end}; "
            "entities cannot overlap: remove or shrink that one first",
            span=(start, end),
            other=(other.label, other.start, other.end),
        )


def _touch_row(
    conn, annotation_id: int, version: int, *, annotator: str, document_id: int, action: str, payload: dict[str, Any]
) -> int:
    """Bump the annotation's version from `version` and append the event, in the caller's transaction. Returns
    the new version; raises StaleAnnotationError if another writer moved it first."""
    now = utcnow()
    bumped = conn.execute(_BUMP_VERSION, {"ann": annotation_id, "expected": version, "now": now}).rowcount
    if bumped != 1:
        found = conn.execute(select(Annotation.version).where(Annotation.id == annotation_id)).scalar() or 0
        raise StaleAnnotationError(document_id, version, found)
    lock_event_log(conn)
    conn.execute(
        insert(Event),
        {
            "at": now,
            "annotator": annotator,
            "document_id": document_id,
            "action": action,
            "payload": {**payload, "version": version + 1},
        },
    )
    return version + 1


def _span_row(conn, span_id: int, annotator: str, expected_version: int | None):
    row = conn.execute(_SPAN_ROW, {"span": span_id}).first()
    if row is None:
        raise TagdeskError(f"span {span_id} no longer exists (removed in another window?)")
    if row.annotator != annotator:
        raise TagdeskError(f"span {span_id} belongs to {row.annotator}, not {annotator}")
    if expected_version is not None and row.version != expected_version:
        raise StaleAnnotationError(row.document_id, expected_version, row.version)
    return row


def _set_dismissal_rows(conn, annotation_id: int, items: Iterable[tuple[int, int, str]], dismissed: bool) -> list[list]:
    """Record (or forget) dismissals of suggestions for one annotation; does not commit. Returns what changed."""
    changed = []
    for start, end, label in items:
        key = {"annotation_id": annotation_id, "start": start, "end": end, "label": label}
        if dismissed:
            stmt = insert_if_missing(conn, Dismissal.__table__, ("annotation_id", "start", "end", "label"))
            count = conn.execute(stmt, {**key, "at": utcnow()}).rowcount
        else:
            count = conn.execute(
                _delete(Dismissal).where(
                    Dismissal.annotation_id == annotation_id,
                    Dismissal.start == start,
                    Dismissal.end == end,
                    Dismissal.label == label,
                )
            ).rowcount
        if count:
            changed.append([start, end, label])
    return changed


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
    length = text_length(document_id, session=session)
    check_span(length, start, end, label)
    conn = session.connection()
    ann_id, version = _annotation_row(conn, document_id, annotator, expected_version)
    _refuse_overlap_row(conn, ann_id, start, end)
    span_id = conn.execute(
        insert(Span),
        {"annotation_id": ann_id, "start": start, "end": end, "label": label, "origin": origin, "score": score},
    ).inserted_primary_key[0]
    restored = _set_dismissal_rows(conn, ann_id, undismiss, False)
    written = _touch_row(
        conn,
        ann_id,
        version,
        annotator=annotator,
        document_id=document_id,
        action="add_span",
        payload={
            "span_id": span_id,
            "start": start,
            "end": end,
            "label": label,
            "origin": origin,
            **({"undismissed": restored} if restored else {}),
            **acted_by(annotator, session=session),
        },
    )
    _commit(session)
    return Written(
        written, Span(id=span_id, annotation_id=ann_id, start=start, end=end, label=label, origin=origin, score=score)
    )


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
    written = _touch_row(
        conn,
        row.annotation_id,
        row.version,
        annotator=annotator,
        document_id=row.document_id,
        action="remove_span",
        payload={
            "span_id": span_id,
            "start": row.start,
            "end": row.end,
            "label": row.label,
            **({"dismissed": dismissed} if dismissed else {}),
            **acted_by(annotator, session=session),
        },
    )
    _commit(session)
    removed = Span(
        id=row.id,
        annotation_id=row.annotation_id,
        start=row.start,
        end=row.end,
        label=row.label,
        origin=row.origin,
        score=row.score,
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
    written = _touch_row(
        conn,
        row.annotation_id,
        row.version,
        annotator=annotator,
        document_id=row.document_id,
        action="update_span",
        payload={
            "span_id": span_id,
            "before": {"start": row.start, "end": row.end, "label": row.label},
            "after": {"start": new_start, "end": new_end, "label": new_label},
            **acted_by(annotator, session=session),
        },
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


def decide(
    document_id: int,
    status: Status | str,
    *,
    session: Session,
    annotator: str,
    add_spans: Iterable[tuple[int, int, str, str, float | None]] = (),
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
    before = conn.execute(select(Annotation.status).where(Annotation.id == ann_id)).scalar_one()
    removed = []
    for start, end in remove_spans:
        row = conn.execute(
            select(Span.id, Span.label).where(Span.annotation_id == ann_id, Span.start == start, Span.end == end)
        ).first()
        if row is not None:
            removed.append({"start": start, "end": end, "label": row.label})
            conn.execute(_delete(Span).where(Span.id == row.id))
    added: list[Span] = []
    try:
        for start, end, label, origin, score in add_spans:
            check_span(length, start, end, label)
            _refuse_overlap_row(conn, ann_id, start, end)
            span_id = conn.execute(
                insert(Span).values(annotation_id=ann_id, start=start, end=end, label=label, origin=origin, score=score)
            ).inserted_primary_key[0]
            added.append(
                Span(id=span_id, annotation_id=ann_id, start=start, end=end, label=label, origin=origin, score=score)
            )
    except TagdeskError:
        session.rollback()
        raise
    conn.execute(
        update(Annotation)
        .where(Annotation.id == ann_id)
        .values(status=status, seconds_spent=Annotation.seconds_spent + seconds)
    )
    written = _touch_row(
        conn,
        ann_id,
        version,
        annotator=annotator,
        document_id=document_id,
        action="set_status",
        payload={
            "status": status,
            "before": before,
            "added_span_ids": [sp.id for sp in added],
            "removed": removed,
            **acted_by(annotator, session=session),
        },
    )
    _commit(session)
    return Written(written, added=tuple(added))


def set_status(
    document_id: int,
    status: Status | str,
    *,
    session: Session,
    annotator: str,
    add_spans: Iterable[tuple[int, int, str, str, float | None]] = (),
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
    start, end, label = item
    written = _touch_row(
        conn,
        ann_id,
        version,
        annotator=annotator,
        document_id=document_id,
        action="dismiss_suggestion" if dismissed else "restore_suggestion",
        payload={"start": start, "end": end, "label": label, **acted_by(annotator, session=session)},
    )
    _commit(session)
    return Written(written)
