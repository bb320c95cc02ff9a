"""Counts for `tagdesk stats` (documents of an import still under way are not counted)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from ..db.tables import ANNOTATION, DOCUMENT, EVENT, SPAN, SUGGESTION, Status
from .documents import document_count
from .imports import published

_LISTED_ANNOTATION = ANNOTATION.join(DOCUMENT, DOCUMENT.c.id == ANNOTATION.c.document_id)
_LISTED_SPAN = SPAN.join(_LISTED_ANNOTATION, ANNOTATION.c.id == SPAN.c.annotation_id)


def stats(*, session: Session, annotator: str | None = None) -> dict[str, Any]:
    """Counts for `tagdesk stats`: documents by status (for `annotator`; a document nobody decided is pending),
    spans by label and origin, and each annotator's decisions and time."""
    conn = session.connection()
    total = document_count(session=session)
    by_annotator: dict[str, dict[str, int]] = {}
    rows = conn.execute(
        select(ANNOTATION.c.annotator, ANNOTATION.c.status, func.count())
        .select_from(_LISTED_ANNOTATION)
        .where(published())
        .group_by(ANNOTATION.c.annotator, ANNOTATION.c.status)
    )
    for name, status, n in rows:
        by_annotator.setdefault(name, {})[status] = n

    def statuses(counts: dict[str, int]) -> dict[str, int]:
        decided = {s.value: counts.get(s.value, 0) for s in Status if s is not Status.pending}
        return {Status.pending.value: total - sum(decided.values()), **decided}

    n = func.count()
    labels: dict[str, int] = dict(
        conn.execute(
            select(SPAN.c.label, n)
            .select_from(_LISTED_SPAN)
            .where(published())
            .group_by(SPAN.c.label)
            .order_by(n.desc(), SPAN.c.label)
        ).all()
    )
    origins: dict[str, int] = dict(
        conn.execute(
            select(SPAN.c.origin, n)
            .select_from(_LISTED_SPAN)
            .where(published())
            .group_by(SPAN.c.origin)
            .order_by(SPAN.c.origin)
        ).all()
    )
    suggested = conn.execute(
        select(func.count(func.distinct(SUGGESTION.c.document_id)))
        .select_from(SUGGESTION.join(DOCUMENT, DOCUMENT.c.id == SUGGESTION.c.document_id))
        .where(published())
    ).scalar_one()
    seconds = dict(
        conn.execute(
            select(ANNOTATION.c.annotator, func.coalesce(func.sum(ANNOTATION.c.seconds_spent), 0.0))
            .select_from(_LISTED_ANNOTATION)
            .where(published())
            .group_by(ANNOTATION.c.annotator)
        ).all()
    )
    spans: dict[str, int] = dict(
        conn.execute(
            select(ANNOTATION.c.annotator, n)
            .select_from(_LISTED_SPAN)
            .where(published())
            .group_by(ANNOTATION.c.annotator)
        ).all()
    )
    annotators = [
        {
            "name": name,
            "statuses": statuses(counts),
            "spans": spans.get(name, 0),
            "seconds_spent": round(seconds.get(name, 0.0), 1),
        }
        for name, counts in sorted(by_annotator.items())
    ]
    return {
        "documents": total,
        "annotator": annotator,
        "statuses": statuses(by_annotator.get(annotator or "", {})),
        "documents_with_suggestions": suggested,
        "spans": sum(labels.values()),
        "spans_by_label": labels,
        "spans_by_origin": origins,
        "annotators": annotators,
    }


def annotator_progress(*, session: Session, annotator: str) -> tuple[int, int, float | None]:
    """(documents this annotator decided, documents in the project, average seconds spent on a decided document;
    None before the first)."""
    total = document_count(session=session)
    decided, seconds = (
        session.connection()
        .execute(
            select(func.count(), func.coalesce(func.sum(ANNOTATION.c.seconds_spent), 0.0))
            .select_from(_LISTED_ANNOTATION)
            .where(ANNOTATION.c.annotator == annotator, ANNOTATION.c.status != Status.pending.value, published())
        )
        .one()
    )
    return int(decided), total, (float(seconds) / decided if decided and seconds else None)


def activity(*, session: Session, annotator: str | None = None) -> dict[str, Any]:
    """What the statistics view plots: decisions (documents accepted, rejected or ignored) per local day and per
    hour of the day, from the event log, and the seconds spent on each decided document. `annotator` None: all."""
    conn = session.connection()
    stmt = select(EVENT.c.at, EVENT.c.payload).where(EVENT.c.action == "set_status")
    if annotator is not None:
        stmt = stmt.where(EVENT.c.annotator == annotator)
    per_day: Counter[date] = Counter()
    per_hour = [0] * 24
    for at, payload in conn.execute(stmt):
        if (payload or {}).get("status", Status.pending.value) == Status.pending.value:
            continue
        when = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone()
        per_day[when.date()] += 1
        per_hour[when.hour] += 1
    seconds = select(ANNOTATION.c.seconds_spent).where(ANNOTATION.c.status != Status.pending.value)
    if annotator is not None:
        seconds = seconds.where(ANNOTATION.c.annotator == annotator)
    return {
        "per_day": sorted(per_day.items()),
        "per_hour": per_hour,
        "seconds": [float(x) for x in conn.execute(seconds).scalars() if x],
        "today": datetime.now().astimezone().date(),
    }


def annotators(*, session: Session) -> list[str]:
    """Everyone with an annotation in the project, sorted."""
    names = session.connection().execute(select(ANNOTATION.c.annotator).distinct()).scalars()
    return sorted(n for n in names if n)
