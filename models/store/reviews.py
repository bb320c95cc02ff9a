"""Who reviewed what: the reviewer of each gold annotation, read from its events (reads only).

A reviewer's edits of the gold annotation (`models.team.GOLD`) are ordinary decision events whose payload says
who made them (`"by"`, written by `models/store/decisions.py` through `acted_by`). The reviewer of a document is
the `by` of the gold's last `set_status` event, the decision that settled it; everyone who edited the gold is
its editors. Events written before reviewers were recorded (or by a session without a person) name nobody:
`by` is None there.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from ..db.tables import Annotation, Event, Span, Status
from ..team import GOLD, RESERVED_PREFIX
from .transactions import _IN_CHUNK

SpanTuple = tuple[int, int, str]
DECISIONS = ("add_span", "remove_span", "update_span", "set_status", "dismiss_suggestion", "restore_suggestion")


@dataclass(frozen=True)
class Review:
    """A document's gold annotation: its status now, who settled it and when (the last status decision), and
    everyone whose edits it holds, in the order they first edited it."""

    document_id: int
    status: str
    by: str | None
    at: datetime | None
    editors: tuple[str, ...] = ()


def _by(payload: Any) -> str | None:
    who = payload.get("by") if isinstance(payload, dict) else None
    return str(who) if who else None


def reviews(*, session: Session, document_ids: Sequence[int] | None = None, editors: bool = False) -> dict[int, Review]:
    """The review of every document with a gold annotation (or of `document_ids`), by document id. `editors`:
    also who edited each gold (reads every gold event, not only the status decisions)."""
    conn = session.connection()
    chunks: list[Sequence[int] | None] = (
        [document_ids[i : i + _IN_CHUNK] for i in range(0, len(document_ids), _IN_CHUNK)]
        if document_ids is not None
        else [None]
    )
    out: dict[int, Review] = {}
    for chunk in chunks:
        golds = select(col(Annotation.document_id), col(Annotation.status)).where(col(Annotation.annotator) == GOLD)
        actions = DECISIONS if editors else ("set_status",)
        events = (
            select(col(Event.document_id), col(Event.action), col(Event.at), col(Event.payload))
            .where(col(Event.annotator) == GOLD, col(Event.action).in_(actions))
            .order_by(col(Event.id))
        )
        if chunk is not None:
            golds = golds.where(col(Annotation.document_id).in_(list(chunk)))
            events = events.where(col(Event.document_id).in_(list(chunk)))
        status = {int(doc): str(st) for doc, st in conn.execute(golds)}
        last: dict[int, tuple[str | None, datetime]] = {}
        who: dict[int, dict[str, None]] = {}
        for doc, action, at, payload in conn.execute(events):
            by = _by(payload)
            if action == "set_status":
                last[doc] = (by, at)
            if by is not None:
                who.setdefault(doc, {})[by] = None
        for doc, st in status.items():
            by, at = last.get(doc, (None, None))
            out[doc] = Review(doc, st, by, at, tuple(who.get(doc, {})))
    return out


def reviewers(*, session: Session) -> dict[str, dict[str, Any]]:
    """Per reviewer (None: not recorded), the documents whose gold they settled: by status, and the last time.
    Only decided gold annotations count (one reopened for review again is pending)."""
    out: dict[str, dict[str, Any]] = {}
    for review in reviews(session=session).values():
        if review.status == Status.pending.value:
            continue
        name = review.by or ""
        entry = out.setdefault(name, {"documents": 0, "statuses": {}, "last": None})
        entry["documents"] += 1
        entry["statuses"][review.status] = entry["statuses"].get(review.status, 0) + 1
        if review.at is not None and (entry["last"] is None or review.at > entry["last"]):
            entry["last"] = review.at
    return dict(sorted(out.items(), key=lambda kv: (kv[0] == "", kv[0])))


@dataclass(frozen=True)
class Reviewed:
    """A document whose gold was accepted, with the gold's spans and each annotator's accepted spans."""

    document_id: int
    gold: list[SpanTuple]
    spans: dict[str, list[SpanTuple]]


def reviewed_side_by_side(*, session: Session, batch: int = 500) -> Iterator[Reviewed]:
    """Every document whose gold annotation is accepted, with the spans of the gold and of each person who
    accepted it too, in document id order, `batch` documents per query (for "each annotator against the gold")."""
    conn = session.connection()
    ids = [
        int(d)
        for d in conn.execute(
            select(col(Annotation.document_id))
            .where(col(Annotation.annotator) == GOLD, col(Annotation.status) == Status.accepted.value)
            .order_by(col(Annotation.document_id))
        ).scalars()
    ]
    for i in range(0, len(ids), min(batch, _IN_CHUNK)):
        chunk = ids[i : i + min(batch, _IN_CHUNK)]
        gold: dict[int, list[SpanTuple]] = {d: [] for d in chunk}
        people: dict[int, dict[str, list[SpanTuple]]] = {d: {} for d in chunk}
        accepted = (col(Annotation.document_id).in_(chunk)) & (col(Annotation.status) == Status.accepted.value)
        accepted &= ~col(Annotation.annotator).startswith(RESERVED_PREFIX, autoescape=True) | (
            col(Annotation.annotator) == GOLD
        )
        for doc, who in conn.execute(select(col(Annotation.document_id), col(Annotation.annotator)).where(accepted)):
            if who != GOLD:
                people[doc][who] = []
        rows = conn.execute(
            select(
                col(Annotation.document_id), col(Annotation.annotator), col(Span.start), col(Span.end), col(Span.label)
            )
            .join(Annotation, col(Annotation.id) == col(Span.annotation_id))
            .where(accepted)
            .order_by(col(Span.annotation_id), col(Span.start), col(Span.end))
        )
        for doc, who, start, end, label in rows:
            (gold[doc] if who == GOLD else people[doc][who]).append((start, end, label))
        for doc in chunk:
            yield Reviewed(doc, gold[doc], dict(sorted(people[doc].items())))
