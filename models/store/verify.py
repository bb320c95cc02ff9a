"""The event log against the tables: replay every document's events from empty and compare the result with the
annotations, spans and dismissals stored (`tagdesk check`, and the crash tests after each kill).

Documents are read in batches of ids, so memory stays bounded by a batch, not by the project.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select
from sqlmodel import Session

from ..db.tables import ANNOTATION, DISMISSAL, DOCUMENT, EVENT, NOTE, SPAN
from .events import AnnotationState, EventRow, Replay, replay

BATCH = 500


@dataclass
class Difference:
    """The first place where the tables and the event log disagree."""

    document_id: int
    annotator: str
    what: str

    def __str__(self) -> str:
        return f"document {self.document_id} ({self.annotator}): {self.what}"


@dataclass
class Verified:
    """What `verify_event_log` looked at, and the first difference (None: the log rebuilds every annotation)."""

    documents: int = 0
    annotations: int = 0
    events: int = 0  # events replayed
    superseded: int = 0  # older events summed up by a baseline
    other: dict[str, int] = field(default_factory=dict)  # events that change no annotation, by action
    difference: Difference | None = None


def events_of(conn: Connection, first_id: int, last_id: int) -> Iterator[EventRow]:
    """The events of documents `first_id`..`last_id`, in id order."""
    stmt = (
        select(EVENT.c.id, EVENT.c.document_id, EVENT.c.annotator, EVENT.c.action, EVENT.c.payload)
        .where(EVENT.c.document_id.between(first_id, last_id))
        .order_by(EVENT.c.id)
    )
    for row in conn.execute(stmt):
        yield EventRow(row.id, row.document_id, row.annotator, row.action, row.payload or {})


def stored_states(conn: Connection, first_id: int, last_id: int) -> dict[tuple[int, str], AnnotationState]:
    """The annotations of documents `first_id`..`last_id` as the tables hold them, by (document, annotator)."""
    states: dict[tuple[int, str], AnnotationState] = {}
    by_id: dict[int, AnnotationState] = {}
    anns = select(ANNOTATION).where(ANNOTATION.c.document_id.between(first_id, last_id))
    for a in conn.execute(anns):
        state = AnnotationState(status=a.status, seconds=a.seconds_spent, version=a.version)
        states[(a.document_id, a.annotator)] = by_id[a.id] = state
    ids = select(ANNOTATION.c.id).where(ANNOTATION.c.document_id.between(first_id, last_id))
    spans = select(SPAN).where(SPAN.c.annotation_id.in_(ids))
    for s in conn.execute(spans):
        by_id[s.annotation_id].spans[(s.start, s.end)] = (s.start, s.end, s.label, s.origin, s.score)
    dismissals = select(DISMISSAL).where(DISMISSAL.c.annotation_id.in_(ids))
    for d in conn.execute(dismissals):
        by_id[d.annotation_id].dismissed.add((d.start, d.end, d.label))
    for n in conn.execute(select(NOTE).where(NOTE.c.annotation_id.in_(ids))):
        by_id[n.annotation_id].note = (n.comment, n.flag)
    return states


def file_level_events(conn: Connection) -> dict[str, int]:
    """Events that belong to no document (project settings, imports published), by action."""
    stmt = select(EVENT.c.action, func.count()).where(EVENT.c.document_id.is_(None)).group_by(EVENT.c.action)
    return {str(action): int(n) for action, n in conn.execute(stmt)}


def verify_event_log(
    *,
    session: Session,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    batch: int = BATCH,
) -> Verified:
    """Replay the event log of every document from empty and compare spans, status, version, dismissals and
    seconds spent with the tables. Stops at the first difference, by document id, or between batches when
    `should_stop()` says so (what was counted so far is returned; nothing is written either way)."""
    conn = session.connection()
    out = Verified(other=file_level_events(conn))
    total = conn.execute(select(func.count()).select_from(DOCUMENT)).scalar_one()
    last = 0
    while True:
        ids = list(
            conn.execute(select(DOCUMENT.c.id).where(DOCUMENT.c.id > last).order_by(DOCUMENT.c.id).limit(batch))
            .scalars()
            .all()
        )
        if not ids:
            return out
        first_id, last = ids[0], ids[-1]
        rebuilt: Replay = replay(events_of(conn, first_id, last))
        stored = stored_states(conn, first_id, last)
        out.documents += len(ids)
        out.annotations += len(stored)
        out.events += rebuilt.replayed
        out.superseded += rebuilt.superseded
        for action, n in rebuilt.other.items():
            out.other[action] = out.other.get(action, 0) + n
        out.difference = _first_difference(stored, rebuilt)
        if out.difference is not None:
            return out
        if on_progress is not None:
            on_progress(out.documents, total)
        if should_stop():
            return out


def _first_difference(stored: dict[tuple[int, str], AnnotationState], rebuilt: Replay) -> Difference | None:
    for key in sorted(stored.keys() | rebuilt.states.keys() | rebuilt.problems.keys()):
        document_id, annotator = key
        if key in rebuilt.problems:
            return Difference(document_id, annotator, f"the event log cannot be replayed: {rebuilt.problems[key]}")
        if key not in rebuilt.states:
            return Difference(document_id, annotator, "an annotation is stored but the event log has no event for it")
        if key not in stored:
            return Difference(document_id, annotator, "the event log has events for an annotation that is not stored")
        found = stored[key].differences(rebuilt.states[key])
        if found:
            return Difference(document_id, annotator, "; ".join(found))
    return None
